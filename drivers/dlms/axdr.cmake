set(GG_DLMS_AXDR_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/axdr.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/axdr_data.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/axdr_describe.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/cosem_time.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/cosem_time_zone.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/obis.cpp)
