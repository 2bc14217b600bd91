# The gateway's file handling: spool, PQDIF pull, push inbox (docs/files.md).
set(GG_GATEWAY_FILES_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/src/file_spool.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/files_fs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/files_inbox_take.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/files_pull_delete.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/files_pull_plan.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/files_pull_take.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/files_pull_worker.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/files_spool_quota.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/files_spool_status.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/inbox_watcher.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/pqdif_puller.cpp
)
