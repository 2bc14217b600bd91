#pragma once
// A child process started by a test (a broker, an sshd, a helper binary), tracked by its
// pid. Its stdout and stderr are appended to a log file the test can print when it fails.
// The destructor stops it (SIGTERM, then SIGKILL) and reaps it, and the child is killed
// by the kernel if the test process dies first (PR_SET_PDEATHSIG), so a failing or
// crashing test never leaves servers behind. Linux sends that signal when the *thread*
// that started the child exits: start children from the test's main thread.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace gridgate::testing {

class ChildProcess {
public:
    // Starts argv (argv[0] is looked up on PATH unless it contains a '/'). stdin is
    // /dev/null; stdout and stderr are appended to log_file. Signal mask and the usual
    // signal dispositions are reset in the child. Throws std::runtime_error if fork()
    // fails; an exec failure shows up as exit status 127.
    ChildProcess(std::vector<std::string> argv, std::filesystem::path log_file);
    // The same with stdout appended to its own file (for programs whose output the
    // test parses) and stderr to log_file.
    ChildProcess(std::vector<std::string> argv, const std::filesystem::path& stdout_file,
                 std::filesystem::path log_file);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    const std::filesystem::path& log_file() const { return log_file_; }
    std::string log_text() const;

    // True until the child has exited (reaps it if it just did).
    bool running();
    // Sends a signal (SIGSTOP / SIGCONT to freeze a peer, SIGKILL to crash it...).
    void signal(int signo);
    // Waits up to timeout for the child to exit; its wait status (see <sys/wait.h>) or
    // nullopt if it is still running.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    // SIGTERM, wait up to grace, then SIGKILL and wait. Returns the wait status.
    int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
    // SIGKILL and wait: a crash, no chance to clean up.
    int kill();

private:
    bool reap(bool block);

    std::vector<std::string> argv_;
    std::filesystem::path log_file_;
    pid_t pid_ = -1;
    std::optional<int> status_;
};

// Runs argv to completion (for setup commands such as `openssl`), output appended to
// log_file. Returns the exit code, or -1 if it was killed or timed out.
int run_command(const std::vector<std::string>& argv, const std::filesystem::path& log_file,
                std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace gridgate::testing
