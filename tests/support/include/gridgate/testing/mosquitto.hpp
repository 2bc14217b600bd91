#pragma once
// A real mosquitto broker for integration tests: writes its config into a test
// directory, listens on free 127.0.0.1 ports only, and is stopped by pid.
//
//   TempDir dir;
//   Mosquitto broker(dir.path());               // plain listener, anonymous, no persistence
//   connect to 127.0.0.1:broker.port()
//   broker.stop(); broker.start();              // restart on the same port
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gridgate/testing/child_process.hpp"

namespace gridgate::testing {

struct MosquittoTls {
    std::filesystem::path ca_file;     // CA that signs client certificates (and the server's)
    std::filesystem::path cert_file;   // server certificate
    std::filesystem::path key_file;    // its key
    bool require_certificate = false;  // demand a client certificate signed by ca_file
};

struct MosquittoOptions {
    // Keep sessions and retained messages across stop()/start() (saved on SIGTERM, not
    // on kill()). The database lives in the broker's directory.
    bool persistence = false;
    // Adds a second listener with TLS; the plain listener stays for test subscribers.
    std::optional<MosquittoTls> tls;
    std::vector<std::string> extra_config;  // lines appended verbatim
};

class Mosquitto {
public:
    // Writes dir/mosquitto.conf and starts the broker, waiting until it accepts
    // connections. Throws std::runtime_error (with the broker's log) if it cannot start.
    explicit Mosquitto(std::filesystem::path dir, MosquittoOptions options = {});
    ~Mosquitto();
    Mosquitto(const Mosquitto&) = delete;
    Mosquitto& operator=(const Mosquitto&) = delete;

    std::uint16_t port() const { return port_; }
    std::uint16_t tls_port() const { return tls_port_; }  // 0 without TLS

    void start();  // (re)starts on the same ports and waits until ready
    void stop();   // SIGTERM and wait: an orderly shutdown (persistence is saved)
    void kill();   // SIGKILL and wait: a crash
    bool running();
    ChildProcess* process() { return process_.get(); }  // null while stopped (SIGSTOP...)

    const std::filesystem::path& log_file() const { return log_file_; }
    std::string log_text() const;

    // $GG_MOSQUITTO if set, else /usr/sbin/mosquitto.
    static std::string binary();

private:
    void write_config() const;
    bool launch();

    std::filesystem::path dir_;
    MosquittoOptions options_;
    std::filesystem::path config_file_;
    std::filesystem::path log_file_;
    std::uint16_t port_ = 0;
    std::uint16_t tls_port_ = 0;
    std::unique_ptr<ChildProcess> process_;
};

}  // namespace gridgate::testing
