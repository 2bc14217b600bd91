# The pure PQDIF codec: check + summary, writer, and the reference meter's file names.
set(GG_PQDIF_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/src/pqdif_format.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/pqdif_time.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/pqdif_zlib.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/pqdif_body.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/pqdif_records.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/pqdif_check.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/pqdif_summary.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/pqdif_tree.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/pqdif_write.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/pqdif_name.cpp
)
