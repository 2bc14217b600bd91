set(GG_NOTIFY_RECEIVER_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/src/alarm_receiver.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/alarm_session.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/tls_setup.cpp
)
