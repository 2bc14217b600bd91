// The benchmark's simulated line: pacing the master's bytes, passing the slaves'.
#include "rtu_line.hpp"

#include <poll.h>
#include <pty.h>
#include <sys/prctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <stdexcept>

namespace gridgate::bench {

namespace {

using Clock = std::chrono::steady_clock;

void open_raw_pty(int& master, int& peer, std::string& path) {
    char name[128] = {};
    if (::openpty(&master, &peer, name, nullptr, nullptr) != 0) throw std::runtime_error("openpty failed");
    termios tio{};
    ::tcgetattr(peer, &tio);
    ::cfmakeraw(&tio);
    ::tcsetattr(peer, TCSANOW, &tio);
    path = name;
}

}  // namespace

RtuLine::RtuLine(std::chrono::nanoseconds character) : character_(character) {
    open_raw_pty(master_fd_, master_peer_, master_path_);
    open_raw_pty(slave_fd_, slave_peer_, slave_path_);
    if (::pipe(stop_pipe_) != 0) throw std::runtime_error("pipe failed");
    thread_ = std::thread([this] { run(); });
}

RtuLine::~RtuLine() {
    [[maybe_unused]] auto n = ::write(stop_pipe_[1], "x", 1);
    thread_.join();
    for (const int fd : {master_fd_, master_peer_, slave_fd_, slave_peer_, stop_pipe_[0], stop_pipe_[1]}) ::close(fd);
}

std::vector<double> RtuLine::reactions() const {
    std::lock_guard lock(mutex_);
    return reactions_;
}

void RtuLine::reset_measurements() {
    std::lock_guard lock(mutex_);
    reactions_.clear();
}

void RtuLine::run() {
    ::prctl(PR_SET_TIMERSLACK, 1UL);  // wake up on time, not 50 µs late
    // What the master wrote, delivered in one piece when its last stop bit would have
    // left the line: a loaded host then cannot tear a request apart with a gap.
    struct Pending {
        Clock::time_point due;
        std::vector<std::byte> bytes;
    };
    std::deque<Pending> to_slave;
    Clock::time_point line_free{};
    Clock::time_point last_reply_byte{};
    bool reply_since_request = false;
    std::byte buffer[512];

    while (true) {
        // ppoll: nanosecond timeouts (with the timer slack at 1 ns) to deliver on time.
        timespec timeout{};
        timespec* wait = nullptr;
        if (!to_slave.empty()) {
            const auto left = std::max(std::chrono::nanoseconds(0), to_slave.front().due - Clock::now());
            timeout.tv_sec = static_cast<time_t>(left.count() / 1'000'000'000);
            timeout.tv_nsec = static_cast<long>(left.count() % 1'000'000'000);
            wait = &timeout;
        }
        pollfd fds[3] = {{master_fd_, POLLIN, 0}, {slave_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
        if (::ppoll(fds, 3, wait, nullptr) < 0) return;
        if (fds[2].revents) return;
        const auto now = Clock::now();

        if (fds[0].revents & POLLIN) {
            const ssize_t n = ::read(master_fd_, buffer, sizeof buffer);
            if (n > 0) {
                if (reply_since_request) {
                    const double us = std::chrono::duration<double, std::micro>(now - last_reply_byte).count();
                    std::lock_guard lock(mutex_);
                    reactions_.push_back(us);
                }
                reply_since_request = false;
                line_free = std::max(line_free, now) + character_ * n;
                to_slave.push_back({line_free, std::vector<std::byte>(buffer, buffer + n)});
            }
        }
        if (fds[1].revents & POLLIN) {
            const ssize_t n = ::read(slave_fd_, buffer, sizeof buffer);
            if (n > 0) {
                [[maybe_unused]] auto w = ::write(master_fd_, buffer, static_cast<std::size_t>(n));
                last_reply_byte = Clock::now();
                reply_since_request = true;
            }
        }
        const auto deliver_at = Clock::now();
        while (!to_slave.empty() && to_slave.front().due <= deliver_at) {
            const auto& chunk = to_slave.front().bytes;
            [[maybe_unused]] auto w = ::write(slave_fd_, chunk.data(), chunk.size());
            to_slave.pop_front();
        }
    }
}

}  // namespace gridgate::bench
