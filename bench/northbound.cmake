# Northbound benchmarks (included from bench/CMakeLists.txt): the backlog drain of
# MqttForwarder to a loopback mosquitto over TLS (docs/benchmarks.md). Uses the
# test-support helpers to start the broker and make certificates, so it is built with
# the test suite; --outbox sqlite drains a real ReadingLog, hence gg_store.
if(TARGET gg_test_support)
  add_executable(northbound_drain
    ${CMAKE_CURRENT_LIST_DIR}/northbound_drain.cpp
  )
  target_include_directories(northbound_drain PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  target_link_libraries(northbound_drain PRIVATE gg_northbound gg_store gg_test_support)
endif()
