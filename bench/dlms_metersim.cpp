// Starting and stopping metersim for the DLMS bench, and reading its endpoint line.
#include "dlms_metersim.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace gridgate::bench {

namespace {

// "dlms1 127.0.0.1 40811" or "dlms100 dlms-serial /dev/pts/6 100"; the line's own
// "dlms-bus <path>" and anything else is not a meter.
std::optional<DlmsEndpoint> parse_endpoint(const std::string& line) {
    std::istringstream words(line);
    std::string id, second, third, fourth;
    if (!(words >> id >> second >> third) || id == "dlms-bus") return std::nullopt;
    DlmsEndpoint e;
    e.meter = id;
    try {
        if (second == "dlms-serial") {
            if (!(words >> fourth)) return std::nullopt;
            e.device = third;
            e.physical_id = static_cast<std::uint16_t>(std::stoul(fourth));
        } else {
            e.host = second;
            e.port = static_cast<std::uint16_t>(std::stoul(third));
        }
    } catch (const std::exception&) {
        return std::nullopt;
    }
    return e;
}

}  // namespace

DlmsMetersim::DlmsMetersim(const std::string& binary, const std::vector<std::string>& options) {
    std::vector<std::string> args{binary};
    args.insert(args.end(), options.begin(), options.end());
    args.push_back("--print-ports");
    // GG_BENCH_METERSIM_TRACE=1: metersim logs at debug level on stderr.
    args.insert(args.end(), {"--log-level", std::getenv("GG_BENCH_METERSIM_TRACE") ? "debug" : "warn"});
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the bench
        ::dup2(out[1], STDOUT_FILENO);
        ::close(out[0]);
        ::close(out[1]);
        std::vector<char*> argv;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(out[1]);
    std::string text;
    std::optional<DlmsEndpoint> found;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!found && std::chrono::steady_clock::now() < deadline) {
        pollfd p{out[0], POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        char buf[256];
        const ssize_t n = ::read(out[0], buf, sizeof buf);
        if (n <= 0) break;  // metersim exited (its message is on our stderr)
        text.append(buf, static_cast<std::size_t>(n));
        for (std::size_t eol; !found && (eol = text.find('\n')) != std::string::npos;) {
            found = parse_endpoint(text.substr(0, eol));
            text.erase(0, eol + 1);
        }
    }
    // The pipe stays unread from here: metersim prints nothing more unless asked.
    ::close(out[0]);
    if (!found) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        throw std::runtime_error("metersim printed no DLMS meter (" + binary + ")");
    }
    endpoint_ = *found;
}

DlmsMetersim::~DlmsMetersim() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
}

double DlmsMetersim::cpu_seconds() const {
    // /proc/<pid>/stat: utime and stime are fields 14 and 15, counted after the command
    // name, which is in parentheses and may hold spaces.
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::size_t close = all.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream rest(all.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i)
        if (i >= 14) ticks += std::stod(field);
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace gridgate::bench
