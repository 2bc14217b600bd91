// The benchmark's paced RTU slave.
#include "rtu_paced_slave.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "gridgate/modbus/pdu.hpp"
#include "gridgate/modbus/rtu_frame.hpp"

namespace gridgate::bench {

namespace {

using Clock = std::chrono::steady_clock;

void sleep_until(Clock::time_point t) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
}

}  // namespace

PacedSlave::PacedSlave(const std::string& device, std::vector<std::uint8_t> units, PacedSlaveTiming timing)
    : units_(std::move(units)), timing_(timing) {
    fd_ = ::open(device.c_str(), O_RDWR | O_NOCTTY);
    if (fd_ < 0) throw std::runtime_error("paced slave: cannot open " + device);
    termios tio{};
    ::tcgetattr(fd_, &tio);
    ::cfmakeraw(&tio);
    ::tcsetattr(fd_, TCSANOW, &tio);
    if (::pipe(stop_pipe_) != 0) throw std::runtime_error("pipe failed");
    thread_ = std::thread([this] { run(); });
}

PacedSlave::~PacedSlave() {
    [[maybe_unused]] auto n = ::write(stop_pipe_[1], "x", 1);
    thread_.join();
    for (const int fd : {fd_, stop_pipe_[0], stop_pipe_[1]}) ::close(fd);
}

std::vector<double> PacedSlave::lateness() const {
    std::lock_guard lock(mutex_);
    return lateness_;
}

void PacedSlave::reset_measurements() {
    std::lock_guard lock(mutex_);
    lateness_.clear();
}

void PacedSlave::run() {
    using namespace gridgate::modbus;
    ::prctl(PR_SET_TIMERSLACK, 1UL);
    std::vector<std::byte> rx;
    while (true) {
        pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 || fds[1].revents) return;
        std::byte chunk[512];
        const ssize_t n = ::read(fd_, chunk, sizeof chunk);
        if (n <= 0) return;
        const auto arrived = Clock::now();
        rx.insert(rx.end(), chunk, chunk + n);
        while (true) {
            const std::size_t length = expected_request_adu_length(rx);
            if (length == 0 || rx.size() < length) break;
            const std::vector<std::byte> frame(rx.begin(), rx.begin() + static_cast<std::ptrdiff_t>(length));
            rx.erase(rx.begin(), rx.begin() + static_cast<std::ptrdiff_t>(length));
            const auto decoded = decode_rtu_adu(frame);
            const auto* f = std::get_if<RtuFrame>(&decoded);
            if (!f || std::find(units_.begin(), units_.end(), f->address) == units_.end()) continue;
            const auto parsed = decode_request(f->pdu);
            const auto* req = std::get_if<Request>(&parsed);
            const auto* read = req ? std::get_if<ReadRequest>(req) : nullptr;
            if (!read || !is_register_read(read->function)) continue;
            std::vector<std::uint16_t> regs;
            for (std::uint16_t i = 0; i < read->count; ++i) regs.push_back(static_cast<std::uint16_t>(read->address + i));
            answer(encode_rtu_adu(f->address, encode_register_response(read->function, regs)), arrived);
        }
    }
}

void PacedSlave::answer(const std::vector<std::byte>& reply, Clock::time_point request_end) {
    const auto start = request_end + timing_.t3_5 + timing_.turnaround;
    // Byte by byte while a character lasts 500 µs or more, else in chunks of ~500 µs.
    const std::size_t per_write =
        std::max<std::size_t>(1, static_cast<std::size_t>(std::chrono::microseconds(500) / timing_.character));
    std::size_t sent = 0;
    Clock::time_point last_due{};
    while (sent < reply.size()) {
        const std::size_t n = std::min(per_write, reply.size() - sent);
        last_due = start + timing_.character * static_cast<long>(sent + n);
        sleep_until(last_due);
        [[maybe_unused]] auto w = ::write(fd_, reply.data() + sent, n);
        sent += n;
    }
    const double late = std::chrono::duration<double, std::micro>(Clock::now() - last_due).count();
    std::lock_guard lock(mutex_);
    lateness_.push_back(late);
}

}  // namespace gridgate::bench
