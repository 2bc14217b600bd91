# xDLMS/ACSE APDUs (association, GET/SET, block transfer, selective access, traces) and the
# profile-generic buffer helpers.
set(GG_DLMS_APDU_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/apdu_acse.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/apdu_initiate.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/apdu_get_set.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/apdu_blocks.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/apdu_selective.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/apdu_describe.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/profile.cpp)
