// RtuMaster: queueing, admission and the order of transactions on the line.
#include "gridgate/modbus/rtu_master.hpp"

#include <algorithm>
#include <cstdio>

#include "gridgate/modbus/rtu_frame.hpp"

namespace gridgate::modbus {

namespace {

Duration or_default(Duration configured, Duration fallback) { return configured.count() > 0 ? configured : fallback; }

bool sendable(const ReadRequest& r) {
    if (is_register_read(r.function)) return r.count >= 1 && r.count <= max_read_registers;
    if (is_bit_read(r.function)) return r.count >= 1 && r.count <= max_read_bits;
    return false;
}

std::string ms(Duration d) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f ms", static_cast<double>(d.count()) / 1000.0);
    return text;
}

}  // namespace

void RtuMasterIo::answer_line(transport::LineGrantHandler handler, transport::LineError error) {
    handler(error == transport::LineError::none ? transport::LineError::cancelled : error, nullptr);
}

RtuMaster::RtuMaster(RtuMasterOptions options, const Clock& clock, RtuMasterIo& io, Logger& logger)
    : options_(std::move(options)), clock_(clock), io_(io), logger_(logger), created_(clock.steady_now()) {
    options_.silence = or_default(options_.silence, options_.timing.t3_5);
    options_.frame_gap = or_default(options_.frame_gap, options_.timing.t3_5);
}

RtuMaster::Slave& RtuMaster::slave(std::uint8_t unit) {
    auto it = slaves_.find(unit);
    if (it == slaves_.end()) {
        it = slaves_.try_emplace(unit, options_.health, options_.backoff_seed + unit).first;
        it->second.stats.unit_id = unit;
    }
    return it->second;
}

void RtuMaster::submit(ReadCall call, ReadHandler handler) {
    ++stats_.requests;
    QueuedRead read{std::move(call), std::move(handler)};
    if (stopping_) return fail(std::move(read), TransactionError::cancelled);
    if (read.call.unit_id == rtu_broadcast_address || !sendable(read.call.request)) {
        // A broadcast is never answered (a read to it could only time out), and a read
        // outside the protocol's limits cannot be encoded.
        ++stats_.rejected;
        return fail(std::move(read), TransactionError::rejected);
    }
    if (link_ == LinkState::failed) return fail(std::move(read), TransactionError::connect_failed);

    Slave& s = slave(read.call.unit_id);
    switch (s.health.admit(clock_.steady_now())) {
        case SlaveHealth::Admission::backed_off:
            ++stats_.backed_off_skips;
            ++s.stats.backed_off_skips;
            return fail(std::move(read), TransactionError::backed_off);
        case SlaveHealth::Admission::probe:
            log(LogLevel::info, "slave " + std::to_string(read.call.unit_id) + " backoff over, probing");
            break;
        case SlaveHealth::Admission::send: break;
    }
    queue_.push(std::move(read));
    pump();
}

void RtuMaster::acquire_line(transport::LineRequest request, transport::LineGrantHandler handler) {
    if (stopping_) return io_.answer_line(std::move(handler), transport::LineError::cancelled);
    if (link_ == LinkState::failed) return io_.answer_line(std::move(handler), transport::LineError::line_down);
    queue_.push(QueuedTurn{std::move(request), std::move(handler)});
    pump();
}

// Starts the next transaction (or lends the line) if the line is free, up, quiet long
// enough, and some eligible slave has a read queued or another master waits.
void RtuMaster::pump() {
    if (phase_ != Phase::idle || link_ != LinkState::up || queue_.empty()) return;
    const SteadyTime now = clock_.steady_now();
    if (const auto at = earliest_send(); at && now < *at) return;  // on_timer comes back
    auto next = queue_.pop_next_item([&](std::uint8_t unit) { return slave(unit).health.may_send(now); });
    if (!next) return;
    if (auto* read = std::get_if<QueuedRead>(&*next)) return start_transaction(std::move(*read));
    lend(std::get<QueuedTurn>(std::move(*next)));
}

void RtuMaster::lend(QueuedTurn turn) {
    phase_ = Phase::lent;
    lent_at_ = clock_.steady_now();
    rx_.clear();
    ++stats_.leases;
    log(LogLevel::debug, "line lent to " + turn.request.owner);
    io_.answer_line(std::move(turn.handler), transport::LineError::none);
}

void RtuMaster::on_line_released() {
    if (phase_ != Phase::lent) return;
    const SteadyTime now = clock_.steady_now();
    const Duration lent = std::chrono::duration_cast<Duration>(now - lent_at_);
    stats_.busy_time += lent;
    stats_.lease_time += lent;
    // Whatever the other master's exchange left on the line, our request waits for quiet.
    last_activity_ = std::max(last_activity_, now);
    phase_ = Phase::idle;
    pump();
}

// When the line will have been quiet long enough for the next request.
std::optional<SteadyTime> RtuMaster::earliest_send() const {
    if (last_activity_ == SteadyTime{}) return std::nullopt;
    return last_activity_ + options_.silence + options_.turnaround_delay;
}

void RtuMaster::start_transaction(QueuedRead read) {
    Transaction t;
    t.adu = encode_rtu_adu(read.call.unit_id, encode_read_request(read.call.request));
    t.started = clock_.steady_now();
    t.read = std::move(read);
    current_ = std::move(t);
    phase_ = Phase::flushing;
    ++stats_.transactions;
    ++slave(current_->read.call.unit_id).stats.transactions;
    logger_.trace_frame(current_->read.call.trace_id, "tx", current_->adu);
    io_.transmit(current_->adu);
}

void RtuMaster::on_transmit_started() {
    if (phase_ != Phase::flushing) return;
    phase_ = Phase::sending;
    rx_.clear();
    crc_error_counted_ = false;
}

void RtuMaster::on_transmitted() {
    if (phase_ != Phase::sending) return;
    const SteadyTime now = clock_.steady_now();
    last_activity_ = std::max(last_activity_, now);
    phase_ = Phase::awaiting;
    current_->reply_deadline = now + current_->read.call.timeout;
    scan(false);  // a reply may already have arrived (a pty delivers the request at once)
}

void RtuMaster::set_link(LinkState state) {
    const LinkState before = link_;
    link_ = state;
    if (state == LinkState::up) {
        if (before != LinkState::up) ++stats_.link_opens;
        return pump();
    }
    if (before == LinkState::up) {
        ++stats_.link_losses;
        if (current_) {
            QueuedRead read = std::move(current_->read);
            const SteadyTime now = clock_.steady_now();
            stats_.busy_time += std::chrono::duration_cast<Duration>(now - current_->started);
            current_.reset();
            phase_ = Phase::idle;
            rx_.clear();
            fail(std::move(read), TransactionError::disconnected);
        }
    }
    if (state == LinkState::failed) {
        ++stats_.link_failures;
        fail_all(TransactionError::connect_failed);
    }
}

void RtuMaster::on_timer() {
    const SteadyTime now = clock_.steady_now();
    if (phase_ == Phase::awaiting) {
        if (gap_ends_frame() && now >= last_activity_ + options_.frame_gap) scan(true);
        if (phase_ == Phase::awaiting && now >= *current_->reply_deadline) time_out();
    }
    pump();
}

std::optional<SteadyTime> RtuMaster::next_deadline() const {
    if (phase_ == Phase::awaiting) {
        SteadyTime at = *current_->reply_deadline;
        if (gap_ends_frame()) at = std::min(at, last_activity_ + options_.frame_gap);
        return at;
    }
    if (phase_ != Phase::idle || link_ != LinkState::up || queue_.empty()) return std::nullopt;
    // Idle with work: wait for the line to be quiet, and for the first guard to end if
    // every queued slave is guarded (a line turn is never guarded).
    const SteadyTime now = clock_.steady_now();
    std::optional<SteadyTime> guard;
    for (const std::uint8_t unit : queue_.has_turns() ? std::vector<std::uint8_t>{} : queue_.units()) {
        const auto it = slaves_.find(unit);
        const SteadyTime until = it == slaves_.end() ? SteadyTime{} : it->second.health.guard_until();
        if (until <= now) {
            guard.reset();
            break;
        }
        guard = guard ? std::min(*guard, until) : until;
    }
    std::optional<SteadyTime> at = earliest_send();
    if (guard) at = at ? std::max(*at, *guard) : *guard;
    return at;
}

void RtuMaster::stop() {
    if (stopping_) return;
    stopping_ = true;
    fail_all(TransactionError::cancelled);
}

void RtuMaster::fail_all(TransactionError error) {
    const auto line_error =
        error == TransactionError::cancelled ? transport::LineError::cancelled : transport::LineError::line_down;
    for (auto& item : queue_.take_all()) {
        if (auto* read = std::get_if<QueuedRead>(&item)) fail(std::move(*read), error);
        else io_.answer_line(std::move(std::get<QueuedTurn>(item).handler), line_error);
    }
}

void RtuMaster::fail(QueuedRead read, TransactionError error) { io_.complete(std::move(read.handler), error); }

RtuBusStats RtuMaster::stats() const {
    RtuBusStats out = stats_;
    const SteadyTime now = clock_.steady_now();
    out.link_up = link_ == LinkState::up;
    out.queued = queue_.size();
    out.elapsed = std::chrono::duration_cast<Duration>(now - created_);
    if (current_) out.busy_time += std::chrono::duration_cast<Duration>(now - current_->started);
    if (phase_ == Phase::lent) {
        const Duration lent = std::chrono::duration_cast<Duration>(now - lent_at_);
        out.busy_time += lent;
        out.lease_time += lent;
    }
    for (const auto& [unit, s] : slaves_) {
        RtuSlaveStats slave_stats = s.stats;
        slave_stats.consecutive_timeouts = s.health.consecutive_timeouts();
        slave_stats.backed_off = s.health.backing_off(now);
        if (slave_stats.backed_off)
            slave_stats.backoff_remaining = std::chrono::duration_cast<Duration>(*s.health.backoff_until() - now);
        out.slaves.push_back(slave_stats);
    }
    return out;
}

void RtuMaster::log(LogLevel level, const std::string& message) const {
    if (logger_.enabled(level)) logger_.log(level, "modbus-rtu", options_.name + ": " + message);
}

// Defined here to keep the scheduling decisions of a timeout next to the admission ones.
void RtuMaster::time_out() {
    const SteadyTime now = clock_.steady_now();
    if (!rx_.empty()) drop_input(rx_, "incomplete at timeout");
    rx_.clear();
    Transaction t = std::move(*current_);
    current_.reset();
    phase_ = Phase::idle;
    const Duration busy = std::chrono::duration_cast<Duration>(now - t.started);
    stats_.busy_time += busy;
    ++stats_.timeouts;

    const std::uint8_t unit = t.read.call.unit_id;
    Slave& s = slave(unit);
    s.stats.busy_time += busy;
    ++s.stats.timeouts;
    // The late-reply guard: by default as long again as the timeout that just expired.
    const Duration guard = options_.late_reply_guard.count() > 0 ? options_.late_reply_guard : t.read.call.timeout;
    const auto period = s.health.on_timeout(now, guard);
    fail(std::move(t.read), TransactionError::timeout);
    if (period) {
        log(LogLevel::warn, "slave " + std::to_string(unit) + " missed " +
                                std::to_string(s.health.consecutive_timeouts()) + " replies in a row, skipped for " +
                                ms(*period));
        for (auto& read : queue_.take_unit(unit)) {
            ++stats_.backed_off_skips;
            ++s.stats.backed_off_skips;
            fail(std::move(read), TransactionError::backed_off);
        }
    }
}

}  // namespace gridgate::modbus
