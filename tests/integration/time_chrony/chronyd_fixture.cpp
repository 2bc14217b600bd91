#include "chronyd_fixture.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace gridgate::testing {

Chronyd::Chronyd(const TempDir& dir, std::string name, std::vector<std::string> directives)
    : conf_(dir.file(name + ".conf")), log_(dir.file(name + ".log")), pid_(dir.file(name + ".pid")) {
    std::ofstream conf(conf_);
    for (const auto& line : directives) conf << line << '\n';
    conf << "pidfile " << pid_.string() << '\n';
}

Chronyd::~Chronyd() = default;  // ChildProcess stops it by pid

void Chronyd::start() {
    std::vector<std::string> argv = {"/usr/sbin/chronyd", "-x", "-d", "-f", conf_.string()};
    if (::geteuid() == 0) {
        argv.insert(argv.end(), {"-u", "root"});
    } else {
        argv.push_back("-U");
    }
    process_.reset();  // a restart: the previous one is reaped first
    process_ = std::make_unique<ChildProcess>(argv, log_);
}

void Chronyd::kill() {
    if (process_) process_->kill();
}

std::string Chronyd::log() const { return read_text_file(log_); }

std::vector<std::string> local_server_directives(std::uint16_t ntp_port) {
    return {"local stratum 8",
            "allow 127.0.0.1",
            "bindaddress 127.0.0.1",
            "port " + std::to_string(ntp_port),
            "cmdport 0",
            "bindcmdaddress /"};
}

std::vector<std::string> chronyc_csv(const TempDir& dir, const std::string& host_or_path,
                                     std::uint16_t port, const std::string& command) {
    const auto out = dir.file("chronyc.out");
    std::filesystem::remove(out);
    std::vector<std::string> argv = {"/usr/bin/chronyc", "-n", "-c", "-h", host_or_path};
    if (port != 0) argv.insert(argv.end(), {"-p", std::to_string(port)});
    argv.push_back(command);
    ChildProcess chronyc(argv, out, dir.file("chronyc.log"));
    const auto status = chronyc.wait(std::chrono::seconds(10));
    if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) return {};
    std::vector<std::string> fields;
    std::istringstream line(read_text_file(out).substr(0, read_text_file(out).find('\n')));
    for (std::string field; std::getline(line, field, ',');) fields.push_back(field);
    return fields;
}

}  // namespace gridgate::testing
