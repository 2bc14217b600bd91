# metersim's DLMS/COSEM transports (task SIM-LINK). Pure parts go into gg_sim: the HDLC
# server link state machine, the meter record and fleet, the `dlms ...` control commands.
# The Asio parts and the command-line options go into gg_sim_runtime.
set(GG_SIM_DLMS_LINK_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dlms_control.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dlms_hdlc_server.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dlms_meter.cpp
)
set(GG_SIM_DLMS_RUNTIME_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dlms_options.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dlms_serial_line.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/dlms_tcp_server.cpp
)
