#include "gridgate/testing/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "gridgate/testing/temp_dir.hpp"

namespace gridgate::testing {

namespace {

// Everything the child needs, prepared before fork(): between fork() and exec() only
// async-signal-safe calls are allowed (the test process has other threads).
struct ExecPlan {
    std::vector<char*> argv;
    std::string stdout_path;
    std::string stderr_path;
    bool stderr_to_stdout = false;
};

[[noreturn]] void exec_child(const ExecPlan& plan, pid_t parent) {
    // If the test process dies (a crash, an abort in a failed assertion), take the peer
    // with it instead of leaving a broker or an sshd behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);

    constexpr int append = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;
    const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const int out = ::open(plan.stdout_path.c_str(), append, 0644);
    const int err = plan.stderr_to_stdout ? out : ::open(plan.stderr_path.c_str(), append, 0644);
    if (in < 0 || out < 0 || err < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);

    // The test process may block or ignore signals (Paho ignores SIGPIPE, for one); the
    // child starts with a clean slate so SIGTERM and SIGPIPE behave normally.
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int signo : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2})
        ::sigaction(signo, &default_action, nullptr);
    sigset_t empty;
    sigemptyset(&empty);
    ::sigprocmask(SIG_SETMASK, &empty, nullptr);

    ::execvp(plan.argv[0], plan.argv.data());
    ::_exit(127);
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, std::filesystem::path log_file)
    : ChildProcess(std::move(argv), log_file, log_file) {}

ChildProcess::ChildProcess(std::vector<std::string> argv, const std::filesystem::path& stdout_file,
                           std::filesystem::path log_file)
    : argv_(std::move(argv)), log_file_(std::move(log_file)) {
    if (argv_.empty()) throw std::invalid_argument("ChildProcess: empty argv");
    ExecPlan plan{{}, stdout_file.string(), log_file_.string(), stdout_file == log_file_};
    for (auto& arg : argv_) plan.argv.push_back(arg.data());
    plan.argv.push_back(nullptr);

    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("cannot start " + argv_[0] + ": " + std::strerror(errno));
    if (pid_ == 0) exec_child(plan, parent);
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !status_) stop(std::chrono::seconds(5));
}

std::string ChildProcess::log_text() const { return read_text_file(log_file_); }

bool ChildProcess::reap(bool block) {
    if (status_) return true;
    int status = 0;
    pid_t r;
    do {
        r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == pid_) {
        status_ = status;
        return true;
    }
    if (r < 0) {  // not our child any more (reaped elsewhere): treat as gone
        status_ = -1;
        return true;
    }
    return false;
}

bool ChildProcess::running() { return !reap(false); }

void ChildProcess::signal(int signo) {
    if (!status_) ::kill(pid_, signo);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!reap(false)) {
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return status_;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
    if (status_) return *status_;
    ::kill(pid_, SIGCONT);  // a stopped child cannot act on SIGTERM
    ::kill(pid_, SIGTERM);
    if (auto status = wait(grace)) return *status;
    return kill();
}

int ChildProcess::kill() {
    if (status_) return *status_;
    ::kill(pid_, SIGKILL);
    reap(true);
    return *status_;
}

int run_command(const std::vector<std::string>& argv, const std::filesystem::path& log_file,
                std::chrono::milliseconds timeout) {
    ChildProcess child(argv, log_file);
    const auto status = child.wait(timeout);
    if (!status) {
        child.kill();
        return -1;
    }
    return WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
}

}  // namespace gridgate::testing
