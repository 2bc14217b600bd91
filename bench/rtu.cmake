# Modbus RTU bus efficiency benchmark (included from bench/CMakeLists.txt); the
# executable lands in <build>/bin. See docs/benchmarks.md.
add_executable(rtu_bus_bench
  ${CMAKE_CURRENT_LIST_DIR}/rtu_bus_bench.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rtu_line.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rtu_paced_slave.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rtu_metersim.cpp)
target_link_libraries(rtu_bus_bench PRIVATE gg_modbus util)
