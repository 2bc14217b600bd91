# Store benchmarks and tools (included from bench/CMakeLists.txt). Executables land in
# <build>/bin like the daemon.
add_executable(store_fill ${CMAKE_CURRENT_LIST_DIR}/store/store_fill.cpp)
target_include_directories(store_fill PRIVATE ${CMAKE_CURRENT_LIST_DIR}/store)
target_link_libraries(store_fill PRIVATE gg_store)

# The store's figures (docs/benchmarks.md): ingest with real and slowed fsync, bytes per
# reading, restart time on a big store.
add_executable(store_bench ${CMAKE_CURRENT_LIST_DIR}/store/store_bench.cpp)
target_include_directories(store_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR}/store)
target_link_libraries(store_bench PRIVATE gg_store gg_store_faults SQLite::SQLite3)
