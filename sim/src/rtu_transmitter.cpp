#include "rtu_transmitter.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace gridgate::sim {

namespace {
SteadyTime steady_now() { return std::chrono::steady_clock::now(); }
}  // namespace

RtuTransmitter::RtuTransmitter(boost::asio::any_io_executor executor, int fd, const RtuBusOptions& options,
                               BusStats& stats, ServedLog* log, Logger& logger)
    : fd_(fd), options_(options), stats_(stats), log_(log), logger_(logger), timer_(std::move(executor)) {}

void RtuTransmitter::enqueue(SteadyTime not_before, OutgoingFrame frame) {
    if (stopped_ || frame.bytes.empty()) return;
    queue_.emplace(not_before, std::move(frame));
    if (!sending_) schedule();
}

void RtuTransmitter::stop() {
    stopped_ = true;
    queue_.clear();
    sending_.reset();
    timer_.cancel();
}

// Starts the first queued frame if its time has come and the line is free, else waits.
void RtuTransmitter::schedule() {
    if (stopped_ || sending_ || queue_.empty()) return;
    const SteadyTime start = std::max(queue_.begin()->first, line_free_);
    const SteadyTime now = steady_now();
    if (now < start) {
        wait_until(start);
        return;
    }
    auto node = queue_.extract(queue_.begin());
    begin(start, std::move(node.mapped()), now);
}

// One timer for both waits (frame start, next chunk). Re-arming cancels the earlier
// wait; a handler that had already fired just re-evaluates, which is harmless.
void RtuTransmitter::wait_until(SteadyTime when) {
    timer_.expires_at(when);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || self->stopped_) return;
        if (self->sending_) self->write_due(steady_now());
        else self->schedule();
    });
}

void RtuTransmitter::begin(SteadyTime planned_start, OutgoingFrame frame, SteadyTime now) {
    // Woken later than a chunk period (a loaded machine): start the pacing from now
    // rather than bursting the overdue bytes out to catch up. The lateness is counted.
    const SteadyTime start = now - planned_start > options_.chunk_period ? now : planned_start;
    const std::size_t size = frame.bytes.size();
    SimulatedMeter* meter = frame.meter;
    if (meter != nullptr) {
        MeterStats& s = meter->stats();
        s.tx_bytes += size;
        if (frame.noise) ++s.garbage;
        else if (frame.framing == Reply::Framing::bad_crc) ++s.bad_crc;
        else if (frame.framing == Reply::Framing::wrong_address) ++s.wrong_address;
        if (logger_.trace_enabled(meter->id())) logger_.trace_frame(meter->id(), "tx", frame.bytes);
        if (frame.served && log_ != nullptr) log_->record(meter->id(), frame.address, *frame.served);
    }
    if (!frame.guest) ++stats_.replies;
    sending_.emplace(Sending{std::move(frame), PacedTransmission(start, size, options_.line, options_.chunk_period),
                             planned_start + transmit_time(1, options_.line),
                             planned_start + transmit_time(size, options_.line), 0});
    write_due(now);
}

void RtuTransmitter::write_due(SteadyTime now) {
    Sending& s = *sending_;
    const std::size_t due = s.pacing.due(now);
    if (due > s.written) {
        if (s.written == 0) note_lateness(stats_.tx_start_late_max_us, s.planned_first, now);
        write_bytes(std::span<const std::byte>(s.frame.bytes).subspan(s.written, due - s.written));
        s.written = due;
    }
    if (s.written == s.pacing.size()) {
        finish(now);
        return;
    }
    wait_until(s.pacing.next_write(s.written, now));
}

void RtuTransmitter::write_bytes(std::span<const std::byte> bytes) {
    ssize_t n = 0;
    do {
        n = ::write(fd_, bytes.data(), bytes.size());
    } while (n < 0 && errno == EINTR);
    const std::size_t written = n > 0 ? static_cast<std::size_t>(n) : 0;
    stats_.tx_bytes += written;
    stats_.tx_dropped_bytes += bytes.size() - written;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && !write_error_logged_) {
        write_error_logged_ = true;  // once: a line that went away would flood the log
        logger_.warn("metersim", std::string("RTU bus write failed: ") + std::strerror(errno));
    }
}

void RtuTransmitter::finish(SteadyTime now) {
    const Sending& s = *sending_;
    note_lateness(stats_.tx_late_max_us, s.planned_end, now);
    line_free_ = std::max(s.pacing.end(), now) + options_.tx_end_delay + t35(options_.line);
    sending_.reset();
    schedule();
}

void RtuTransmitter::note_lateness(std::uint64_t& worst_us, SteadyTime planned, SteadyTime actual) {
    if (actual <= planned) return;
    const auto late = std::chrono::duration_cast<std::chrono::microseconds>(actual - planned).count();
    worst_us = std::max(worst_us, static_cast<std::uint64_t>(late));
}

}  // namespace gridgate::sim
