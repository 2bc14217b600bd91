# metersim's PQDIF recordings: what a file holds per DataType, its name and the FIFO plan
# (pure, GG_SIM_PQDIF_SOURCES into gg_sim, with the codec gg_pqdif), and the folder on
# disk with its timers and the --pqdif-* options (GG_SIM_PQDIF_RUNTIME_SOURCES).
set(GG_SIM_PQDIF_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/pqdif_control.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/pqdif_fifo.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/pqdif_recording.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/pqdif_signals.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/pqdif_types.cpp
)
set(GG_SIM_PQDIF_RUNTIME_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/pqdif_cli.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/pqdif_recorder.cpp
)
