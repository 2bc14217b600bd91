# The configuration loader: YAML text -> GatewayConfig, with file:line: key.path messages.
# A library of its own so that tests and tools can check a configuration without linking
# the whole gateway. Included from gateway/CMakeLists.txt.
add_library(gg_config
  ${CMAKE_CURRENT_LIST_DIR}/src/config_clock.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_clock_merge.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_documents.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_dlms.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_dnp3.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_files.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_gateway.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_issue.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_load.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_meters.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_modicon.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_mqtt.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_paths.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_point.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_text.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_time.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_values.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/config_yaml.cpp
)
add_library(gridgate::config ALIAS gg_config)
target_include_directories(gg_config PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
target_link_libraries(gg_config PUBLIC gg_core gg_meter_clock PRIVATE gg_time yaml-cpp)
