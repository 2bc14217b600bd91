#pragma once
// Bounds every blocking libssh call by a deadline. libssh 0.10's SFTP layer keeps
// waiting when a channel read times out, so a peer that vanished without a FIN or RST
// (a blackholed cellular link, a frozen box) would hang the worker for ever. When an
// armed deadline passes, this thread shuts the session's socket down: the only thing it
// touches is the kernel socket (through its own dup of the descriptor, so a closed and
// reused descriptor number can never be hit), and libssh then fails the call in its own
// thread with a socket error.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace gridgate::files::detail {

class LinkWatchdog {
public:
    LinkWatchdog();
    ~LinkWatchdog();  // closes its descriptor and joins the thread
    LinkWatchdog(const LinkWatchdog&) = delete;
    LinkWatchdog& operator=(const LinkWatchdog&) = delete;

    // The connected socket to shut down when a deadline passes (dup'ed here).
    void watch(int socket_fd);
    // Starts (or restarts) the countdown; disarm() stops it.
    void arm(std::chrono::steady_clock::duration timeout);
    void disarm();
    // True once the watchdog has shut the socket down; the session is then dead.
    bool fired() const;
    // Shuts the socket down now (a session already known to be broken, at teardown).
    void cut();

private:
    void run();

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::optional<std::chrono::steady_clock::time_point> deadline_;
    int fd_ = -1;
    bool fired_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

// Arms the watchdog for one call and disarms it when the scope ends.
class ArmedScope {
public:
    ArmedScope(LinkWatchdog& watchdog, std::chrono::steady_clock::duration timeout) : watchdog_(watchdog) {
        watchdog_.arm(timeout);
    }
    ~ArmedScope() { watchdog_.disarm(); }
    ArmedScope(const ArmedScope&) = delete;
    ArmedScope& operator=(const ArmedScope&) = delete;

private:
    LinkWatchdog& watchdog_;
};

}  // namespace gridgate::files::detail
