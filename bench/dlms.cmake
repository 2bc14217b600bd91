# DLMS load-profile readout benchmark (included from bench/CMakeLists.txt); the
# executable lands in <build>/bin next to metersim, which it starts. See docs/benchmarks.md.
add_executable(dlms_profile_bench
  ${CMAKE_CURRENT_LIST_DIR}/dlms_profile_bench.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dlms_metersim.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dlms_wire_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rtu_line.cpp)
target_link_libraries(dlms_profile_bench PRIVATE gg_dlms gg_transport util)
