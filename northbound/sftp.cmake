# The northbound SFTP file sink (gg_northbound_sftp, see CMakeLists.txt here): the
# forwarder and its worker, one delivery, and the pure parts (windows, remote paths,
# resume decision, the `files` notice) that tests/unit/northbound_sftp checks alone.
set(GG_NORTHBOUND_SFTP_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/src/sftp_delivery.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/sftp_forwarder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/sftp_notice.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/sftp_remote_paths.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/sftp_resume.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/sftp_schedule.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/sftp_worker.cpp
)
