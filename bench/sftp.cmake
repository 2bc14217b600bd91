# SFTP forwarding throughput (included from bench/CMakeLists.txt): SftpForwarder against
# OpenSSH's `sftp -b` on a loopback sshd (docs/benchmarks.md). It starts the sshd with
# the test-support fixture, so it is built with the test suite.
if(TARGET gg_test_support)
  add_executable(sftp_forward_bench ${CMAKE_CURRENT_LIST_DIR}/sftp_forward_bench.cpp)
  target_link_libraries(sftp_forward_bench PRIVATE gg_northbound_sftp gg_files gg_test_support)
endif()
