// Starting socat and reading its pty names.
#include "socat_pty_pair.hpp"

#include <regex>
#include <stdexcept>
#include <vector>

#include "gridgate/testing/ports.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"

namespace gridgate::rtu_test {

SocatPtyPair::SocatPtyPair(const std::filesystem::path& dir) {
    const auto log = dir / "socat.log";
    process_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{"socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"}, log);
    const bool ready = testing::wait_until(
        [&] { return testing::read_text_file(log).find("starting data transfer loop") != std::string::npos; },
        std::chrono::seconds(10));
    const std::string text = testing::read_text_file(log);
    if (!ready) throw std::runtime_error("socat did not start: " + text);
    static const std::regex pty_line("PTY is (/dev/pts/[0-9]+)");
    std::vector<std::string> paths;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), pty_line); it != std::sregex_iterator(); ++it)
        paths.push_back((*it)[1].str());
    if (paths.size() != 2) throw std::runtime_error("socat: expected two ptys in: " + text);
    a_ = paths[0];
    b_ = paths[1];
}

SocatDeviceServer::SocatDeviceServer(const std::filesystem::path& dir) {
    const auto log = dir / "socat-server.log";
    static const std::regex pty_line("PTY is (/dev/pts/[0-9]+)");
    // A port free a moment ago may be taken meanwhile: try a few.
    for (int attempt = 0; attempt < 5 && !process_; ++attempt) {
        port_ = testing::free_loopback_port();
        auto child = std::make_unique<testing::ChildProcess>(
            std::vector<std::string>{"socat", "-d", "-d", "pty,raw,echo=0",
                                     "TCP-LISTEN:" + std::to_string(port_) + ",bind=127.0.0.1,reuseaddr"},
            log);
        const bool listening = testing::wait_until(
            [&] {
                return testing::read_text_file(log).find("listening on") != std::string::npos || !child->running();
            },
            std::chrono::seconds(10));
        if (listening && child->running()) process_ = std::move(child);
    }
    const std::string text = testing::read_text_file(log);
    std::smatch m;
    if (!process_ || !std::regex_search(text, m, pty_line)) throw std::runtime_error("socat device server: " + text);
    pty_ = m[1].str();
}

}  // namespace gridgate::rtu_test
