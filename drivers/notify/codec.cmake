set(GG_NOTIFY_CODEC_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/src/header_value.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/multipart.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/iso8601.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/notification.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/alarm_request.cpp
)
