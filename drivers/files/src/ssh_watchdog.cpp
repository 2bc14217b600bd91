#include "ssh_watchdog.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace gridgate::files::detail {

LinkWatchdog::LinkWatchdog() : thread_([this] { run(); }) {}

LinkWatchdog::~LinkWatchdog() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
    if (fd_ >= 0) ::close(fd_);
}

void LinkWatchdog::watch(int socket_fd) {
    std::lock_guard lock(mutex_);
    if (fd_ >= 0) ::close(fd_);
    fd_ = socket_fd >= 0 ? ::fcntl(socket_fd, F_DUPFD_CLOEXEC, 0) : -1;
}

void LinkWatchdog::arm(std::chrono::steady_clock::duration timeout) {
    {
        std::lock_guard lock(mutex_);
        deadline_ = std::chrono::steady_clock::now() + timeout;
    }
    changed_.notify_all();
}

void LinkWatchdog::disarm() {
    std::lock_guard lock(mutex_);
    deadline_.reset();  // the thread notices on its next wake-up; no need to wake it now
}

bool LinkWatchdog::fired() const {
    std::lock_guard lock(mutex_);
    return fired_;
}

void LinkWatchdog::cut() {
    std::lock_guard lock(mutex_);
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

void LinkWatchdog::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (!deadline_) {
            changed_.wait(lock);
            continue;
        }
        const auto deadline = *deadline_;
        if (changed_.wait_until(lock, deadline) == std::cv_status::timeout && deadline_ == deadline) {
            if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
            fired_ = true;
            deadline_.reset();
        }
    }
}

}  // namespace gridgate::files::detail
