#pragma once
// A virtual serial line for tests: `socat -d -d pty,raw,echo=0 pty,raw,echo=0`, whose
// two pty paths are read from socat's log. The gateway's bus opens one end, the slave
// under test the other. socat is stopped by pid when the object goes.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "gridgate/testing/child_process.hpp"

namespace gridgate::rtu_test {

class SocatPtyPair {
public:
    // Starts socat and waits until it has made both ptys and entered its transfer loop.
    // Throws std::runtime_error (with socat's log) if that does not happen.
    explicit SocatPtyPair(const std::filesystem::path& dir);

    const std::string& master_end() const { return a_; }  // for the bus under test
    const std::string& slave_end() const { return b_; }   // for the slave(s)

private:
    std::unique_ptr<testing::ChildProcess> process_;
    std::string a_;
    std::string b_;
};

// A serial device server for RTU-over-TCP tests: socat listening on 127.0.0.1:port and
// relaying one TCP connection to a pty, whose path the slave opens.
class SocatDeviceServer {
public:
    explicit SocatDeviceServer(const std::filesystem::path& dir);

    std::uint16_t port() const { return port_; }
    const std::string& slave_end() const { return pty_; }

private:
    std::unique_ptr<testing::ChildProcess> process_;
    std::uint16_t port_ = 0;
    std::string pty_;
};

}  // namespace gridgate::rtu_test
