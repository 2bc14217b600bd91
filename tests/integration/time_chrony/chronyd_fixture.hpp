#pragma once
// A real chronyd for tests, never in control of the system clock (-x), with everything it
// writes (pid file, command socket, log) in the test's own directory:
//   - `bindcmdaddress /` or a path in the temp dir: without one chronyd would create
//     /run/chrony for its default command socket;
//   - no driftfile, dumpdir, logdir or ntsdumpdir: nothing outside the temp dir;
//   - as root it keeps root (-u root) since its default user could not enter the 0700
//     temp dir; as another user it runs unprivileged (-U), which -x makes possible.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gridgate/testing/child_process.hpp"
#include "gridgate/testing/temp_dir.hpp"

namespace gridgate::testing {

class Chronyd {
public:
    // `directives` are chrony.conf lines; the pidfile line is added here.
    Chronyd(const TempDir& dir, std::string name, std::vector<std::string> directives);
    ~Chronyd();

    void start();
    void kill();                 // SIGKILL by pid: the sources vanish without a word
    ChildProcess& process() { return *process_; }
    std::string log() const;

private:
    std::filesystem::path conf_, log_, pid_;
    std::unique_ptr<ChildProcess> process_;
};

// The "server" chronyd: `local stratum 8`, serving NTP on 127.0.0.1:port, no command socket.
std::vector<std::string> local_server_directives(std::uint16_t ntp_port);

// `chronyc -n -c <command>` against a command socket (UDP port on 127.0.0.1 or a Unix
// path); its CSV line split into fields, empty if it failed.
std::vector<std::string> chronyc_csv(const TempDir& dir, const std::string& host_or_path,
                                     std::uint16_t port, const std::string& command);

}  // namespace gridgate::testing
