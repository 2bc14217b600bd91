# The DLMS/COSEM client session (gg_dlms): the link (HDLC or TCP wrapper), the association
# and xDLMS services, the scheduler and its tasks (identity, registers, clock, profiles).
set(GG_DLMS_CLIENT_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/client_link.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/client_link_hdlc.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/client_link_wrapper.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/client_util.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/client_session.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/client_exchange.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/client_association.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/client_tasks.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/client_clock.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/client_profile.cpp)
