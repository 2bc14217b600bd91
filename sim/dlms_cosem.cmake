# metersim's DLMS/COSEM server (pure): associations, the object table, GET/SET with block
# transfer, the load profile recorder and its selective access, the clock.
set(GG_SIM_DLMS_COSEM_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dlms_server.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dlms_server_acse.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dlms_server_clock.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dlms_server_energy.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dlms_server_objects.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dlms_server_profile.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dlms_server_profile_object.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dlms_server_registers.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dlms_server_services.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dlms_server_values.cpp
)
