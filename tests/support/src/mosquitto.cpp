#include "gridgate/testing/mosquitto.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "gridgate/testing/ports.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"

namespace gridgate::testing {

namespace {
constexpr auto ready_timeout = std::chrono::seconds(10);
constexpr int port_attempts = 5;
}  // namespace

std::string Mosquitto::binary() {
    const char* env = std::getenv("GG_MOSQUITTO");
    return env && *env ? env : "/usr/sbin/mosquitto";
}

Mosquitto::Mosquitto(std::filesystem::path dir, MosquittoOptions options)
    : dir_(std::move(dir)),
      options_(std::move(options)),
      config_file_(dir_ / "mosquitto.conf"),
      log_file_(dir_ / "mosquitto.log") {
    // A free port can be taken by someone else before the broker binds it: try again
    // with fresh ports rather than fail the test.
    for (int attempt = 0; attempt < port_attempts; ++attempt) {
        port_ = free_loopback_port();
        tls_port_ = options_.tls ? free_loopback_port() : 0;
        write_config();
        if (launch()) return;
    }
    throw std::runtime_error("mosquitto did not start; log:\n" + log_text());
}

Mosquitto::~Mosquitto() { stop(); }

void Mosquitto::write_config() const {
    std::ofstream conf(config_file_, std::ios::trunc);
    conf << "# written by gridgate::testing::Mosquitto\n"
         << "per_listener_settings false\n"
         << "allow_anonymous true\n"
         << "log_dest stderr\n"
         << "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
         << "connection_messages true\n";
    // As root, mosquitto drops to the "mosquitto" user, which cannot read the test's
    // private directory; staying root is harmless on loopback-only test listeners.
    if (::geteuid() == 0) conf << "user root\n";
    if (options_.persistence)
        conf << "persistence true\npersistence_location " << dir_.string() << "/\n";
    else
        conf << "persistence false\n";
    conf << "listener " << port_ << " 127.0.0.1\n";
    if (options_.tls) {
        const auto& tls = *options_.tls;
        conf << "listener " << tls_port_ << " 127.0.0.1\n"
             << "cafile " << tls.ca_file.string() << "\n"
             << "certfile " << tls.cert_file.string() << "\n"
             << "keyfile " << tls.key_file.string() << "\n"
             << "require_certificate " << (tls.require_certificate ? "true" : "false") << "\n";
    }
    for (const auto& line : options_.extra_config) conf << line << "\n";
    if (!conf) throw std::runtime_error("cannot write " + config_file_.string());
}

bool Mosquitto::launch() {
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{binary(), "-c", config_file_.string()},
                                              log_file_);
    const bool ready = wait_until(
        [&] {
            if (!process_->running()) return true;  // exited: stop waiting, report below
            return loopback_port_accepts(port_) && (tls_port_ == 0 || loopback_port_accepts(tls_port_));
        },
        ready_timeout);
    if (ready && process_->running()) return true;
    process_->kill();
    process_.reset();
    return false;
}

void Mosquitto::start() {
    if (process_ && process_->running()) return;
    // The same ports as before: clients configured with them must find the broker again.
    for (int attempt = 0; attempt < port_attempts; ++attempt) {
        if (launch()) return;
        // The old listening socket may linger briefly; give the kernel a moment.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    throw std::runtime_error("mosquitto did not restart; log:\n" + log_text());
}

void Mosquitto::stop() {
    if (process_) process_->stop();
    process_.reset();
}

void Mosquitto::kill() {
    if (process_) process_->kill();
    process_.reset();
}

bool Mosquitto::running() { return process_ && process_->running(); }

std::string Mosquitto::log_text() const { return read_text_file(log_file_); }

}  // namespace gridgate::testing
