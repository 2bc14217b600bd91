// Starting and stopping metersim for the RTU bench.
#include "rtu_metersim.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <algorithm>
#include <stdexcept>

namespace gridgate::bench {

Metersim::Metersim(const std::string& binary, const std::string& device, unsigned baud,
                   std::chrono::microseconds turnaround, const std::vector<std::uint8_t>& slaves) {
    std::string list;
    for (const auto s : slaves) list += (list.empty() ? "" : ",") + std::to_string(s);
    std::vector<std::string> args{binary,          "--rtu",        device, "--slaves", list, "--baud",
                                  std::to_string(baud), "--turnaround", std::to_string(turnaround.count()) + "us"};
    // GG_BENCH_METERSIM_TRACE=1: metersim hex-dumps slave 1's traffic on stderr.
    if (std::getenv("GG_BENCH_METERSIM_TRACE")) args.insert(args.end(), {"--trace", "jem1", "--log-level", "debug"});
    else args.insert(args.end(), {"--log-level", "warn"});
    // GG_BENCH_METERSIM_ARGS: more options, space separated (e.g. "--control /tmp/m.sock").
    if (const char* extra = std::getenv("GG_BENCH_METERSIM_ARGS")) {
        std::string text = extra;
        for (std::size_t at = 0; at < text.size();) {
            const std::size_t space = std::min(text.find(' ', at), text.size());
            if (space > at) args.push_back(text.substr(at, space - at));
            at = space + 1;
        }
    }
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
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (text.find("bus ") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        pollfd p{out[0], POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        char buf[256];
        const ssize_t n = ::read(out[0], buf, sizeof buf);
        if (n <= 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    if (text.find("bus ") == std::string::npos) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        throw std::runtime_error("metersim did not start (" + binary + ")");
    }
}

Metersim::~Metersim() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
}

}  // namespace gridgate::bench
