// MasterSession: lifecycle, task scheduling, IIN bits and what a task's outcome means for
// the session (backoff, communication lost / restored, follow-up polls).
#include <boost/asio/post.hpp>

#include "master_session_impl.hpp"

namespace gridgate::dnp3 {

namespace asio = boost::asio;

const char* to_string(TimeSyncMode m) {  // declared in clock_sync.hpp
    switch (m) {
        case TimeSyncMode::none: return "none";
        case TimeSyncMode::lan: return "lan";
        case TimeSyncMode::non_lan: return "non_lan";
    }
    return "unknown";
}

namespace detail {

namespace {

SteadyClock::time_point next_slot(SteadyClock::time_point start, Duration period, SteadyClock::time_point now) {
    // The first slot after now on the grid start + k * period: a long outage or a slow
    // task skips the slots it missed instead of running them in a burst.
    const auto elapsed = std::chrono::duration_cast<Duration>(now - start);
    const auto k = elapsed.count() < 0 ? 0 : elapsed / period + 1;
    return start + period * k;
}

constexpr std::uint16_t iin2_errors = Iin::no_func_code_support | Iin::object_unknown | Iin::parameter_error;

}  // namespace

Impl::Impl(transport::LineAccess& l, const Clock& c, SessionOptions o, DataHandler d, EventHandler e, Logger& lg)
    : line(l),
      clock(c),
      options(std::move(o)),
      on_data(std::move(d)),
      on_event(std::move(e)),
      logger(lg),
      executor(l.executor()),
      schedule_timer(executor),
      txn_timer(executor),
      reassembler(options.max_fragment) {
    stats.id = options.id;
}

void Impl::start() {
    if (running || stopping || abandoned) return;
    running = true;
    start_time = SteadyClock::now();
    const auto first = [&](Duration period) { return start_time + period; };
    integrity.period = options.integrity_period;
    integrity.next = first(options.integrity_period);
    integrity.requested = true;  // an integrity poll at start
    const Duration class_periods[4] = {options.class0_period, options.class1_period, options.class2_period,
                                       options.class3_period};
    for (std::size_t c = 0; c < classes.size(); ++c) {
        classes[c].period = class_periods[c];
        classes[c].next = first(class_periods[c]);
    }
    reads.resize(options.reads.size());
    for (std::size_t i = 0; i < reads.size(); ++i) {
        reads[i].period = options.reads[i].period;
        reads[i].next = first(options.reads[i].period);
    }
    time_check.period = options.time_check_period;
    time_check.next = first(options.time_check_period);
    time_check.requested = options.time_check_period.count() > 0;
    logger.info("dnp3", options.id + ": session with outstation " + std::to_string(options.address) + " on " +
                            line.line_description() + " started");
    pump();
}

void Impl::stop(std::function<void()> done) {
    if (done) stop_handlers.push_back(std::move(done));
    stopping = true;
    armed = false;
    schedule_timer.cancel();
    finish_stop_if_idle();
}

void Impl::finish_stop_if_idle() {
    if (!stopping || current || acquiring) return;
    if (!stopped) {
        stopped = true;
        cancel_wait();
        update_stats([](SessionStats& s) { s.online = false; });
    }
    for (auto& done : stop_handlers)
        asio::post(executor, [self = shared_from_this(), d = std::move(done)] {
            if (!self->abandoned) d();
        });
    stop_handlers.clear();
}

void Impl::abandon() {
    stopping = true;
    stopped = true;
    ++gen;
    armed = false;
    schedule_timer.cancel();
    txn_timer.cancel();
    stop_handlers.clear();
    if (lease) {
        const bool close = transmitting || (read_pending && !options.line_cancels_pending_read);
        lease->release(close);
        lease.reset();
    }
    channel = nullptr;
}

std::string Impl::task_name(const Task& task) const {
    switch (task.kind) {
        case TaskKind::clear_restart: return "clear_restart";
        case TaskKind::integrity: return "integrity";
        case TaskKind::time_set: return "time_set";
        case TaskKind::class1: return "class1";
        case TaskKind::class2: return "class2";
        case TaskKind::class3: return "class3";
        case TaskKind::class0: return "class0";
        case TaskKind::read: return "read:" + options.reads.at(task.read).name;
        case TaskKind::time_check: return "time_check";
    }
    return "unknown";
}

// Order among due tasks: clearing DEVICE_RESTART first (the outstation keeps reporting
// it until then), the integrity poll (it defines the state everything else updates),
// the time (readings after it carry good timestamps), event polls before static ones
// (events are what the outstation's buffer can lose), then configured reads and checks.
std::optional<Task> Impl::pick(SteadyClock::time_point now) const {
    if (clear_restart_pending) return Task{TaskKind::clear_restart};
    if (integrity.due(now)) return Task{TaskKind::integrity};
    if (time_set_reason) return Task{TaskKind::time_set};
    if (recheck_at && now >= *recheck_at) return Task{TaskKind::time_check};  // a postponed set: on time
    static constexpr TaskKind event_kinds[4] = {TaskKind::class0, TaskKind::class1, TaskKind::class2,
                                                TaskKind::class3};
    for (std::size_t c = 1; c < classes.size(); ++c)
        if (classes[c].due(now)) return Task{event_kinds[c]};
    if (classes[0].due(now)) return Task{TaskKind::class0};
    for (std::size_t i = 0; i < reads.size(); ++i)
        if (reads[i].due(now)) return Task{TaskKind::read, i};
    if (time_check.due(now)) return Task{TaskKind::time_check};
    return std::nullopt;
}

SteadyClock::time_point Impl::next_wakeup() const {
    auto earliest = SteadyClock::time_point::max();
    const auto consider = [&](const Periodic& p) {
        if (p.period.count() > 0 && p.next < earliest) earliest = p.next;
    };
    consider(integrity);
    for (const auto& c : classes) consider(c);
    for (const auto& r : reads) consider(r);
    consider(time_check);
    if (recheck_at && *recheck_at < earliest) earliest = *recheck_at;
    return earliest;
}

void Impl::arm_schedule(SteadyClock::time_point at) {
    if (at == SteadyClock::time_point::max()) {
        armed = false;
        schedule_timer.cancel();
        return;
    }
    if (armed && armed_at == at) return;
    armed = true;
    armed_at = at;
    schedule_timer.expires_at(at);
    schedule_timer.async_wait([self = shared_from_this(), at](const boost::system::error_code& ec) {
        if (ec || self->abandoned || !self->armed || self->armed_at != at) return;
        self->armed = false;
        self->pump();
    });
}

void Impl::pump() {
    if (!running || stopping || abandoned || acquiring || current) return;
    const auto now = SteadyClock::now();
    if (now < retry_at) return arm_schedule(retry_at);  // backing off: nothing starts before, whatever is due
    if (auto task = pick(now)) {
        armed = false;
        schedule_timer.cancel();
        return acquire(*task);
    }
    arm_schedule(next_wakeup());
}

void Impl::acquire(Task task) {
    acquiring = true;
    const std::uint64_t token = ++acquire_token;
    std::weak_ptr<Impl> weak = shared_from_this();
    line.acquire(transport::LineRequest{options.id, options.priority, options.address},
                 [weak, token, task](transport::LineError error, std::unique_ptr<transport::LineLease> l) {
                     const auto self = weak.lock();
                     if (!self || self->abandoned) return;  // `l`, if any, releases itself
                     self->on_grant(token, task, error, std::move(l));
                 });
}

void Impl::on_grant(std::uint64_t token, Task task, transport::LineError error,
                    std::unique_ptr<transport::LineLease> l) {
    if (!acquiring || token != acquire_token) {
        if (l) l->release(false);
        return;
    }
    acquiring = false;
    if (stopping) {
        if (l) l->release(false);
        return finish_stop_if_idle();
    }
    if (error != transport::LineError::none || !l) {
        complete_task(task, Outcome::failed, std::string("line ") + transport::to_string(error), false);
        return pump();
    }
    begin(task, std::move(l));
}

void Impl::back_off(SteadyClock::time_point now) {
    ++backoff_steps;
    Duration delay = options.retry_min;
    for (unsigned i = 1; i < backoff_steps && delay < options.retry_max; ++i) delay *= 2;
    delay = std::min(delay, options.retry_max);
    retry_at = now + delay;
}

void Impl::mark_done(const Task& task, SteadyClock::time_point now) {
    const auto advance = [&](Periodic& p) {
        p.requested = false;
        if (p.period.count() > 0) p.next = next_slot(start_time, p.period, now);
    };
    switch (task.kind) {
        case TaskKind::clear_restart: clear_restart_pending = false; break;
        case TaskKind::integrity:
            advance(integrity);
            // It read every class: what is still waiting shows in its last IIN.
            for (auto& c : classes) c.requested = false;
            // Reads without a period run with every integrity poll.
            for (auto& r : reads)
                if (r.period.count() == 0) r.requested = true;
            break;
        case TaskKind::time_set: time_set_reason.reset(); break;
        case TaskKind::class0: advance(classes[0]); break;
        case TaskKind::class1: advance(classes[1]); break;
        case TaskKind::class2: advance(classes[2]); break;
        case TaskKind::class3: advance(classes[3]); break;
        case TaskKind::read: advance(reads.at(task.read)); break;
        case TaskKind::time_check: advance(time_check); break;
    }
}

// The outstation says it holds events of a class: poll that class next, before its
// period. Not while a poll of that class brought no event with the bit still set (an
// outstation that keeps the bit without sending anything would otherwise be polled after
// every transaction): its period and integrity polls still read it, and the bit counts
// again once it was seen clear or a poll of the class brought events.
void Impl::request_event_polls(const Task& task) {
    static constexpr std::uint16_t bits[4] = {0, Iin::class1_events, Iin::class2_events, Iin::class3_events};
    for (std::size_t c = 1; c < 4; ++c) {
        if (!last_iin.has(bits[c])) {
            class_bit_stuck[c] = false;
            continue;
        }
        const bool read_this_class = task.kind == TaskKind::integrity ||
                                     (c == 1 && task.kind == TaskKind::class1) ||
                                     (c == 2 && task.kind == TaskKind::class2) ||
                                     (c == 3 && task.kind == TaskKind::class3);
        if (read_this_class) class_bit_stuck[c] = poll_events == 0;
        if (!class_bit_stuck[c]) classes[c].requested = true;
    }
}

void Impl::complete_task(const Task& task, Outcome outcome, const std::string& error, bool timeout) {
    const auto now = SteadyClock::now();
    const std::string name = task_name(task);
    update_stats([&](SessionStats& s) {
        if (timeout) ++s.timeouts;
        if (!error.empty()) s.last_error = name + ": " + error;
    });
    if (outcome == Outcome::failed) {
        back_off(now);
        const bool report = online || (!ever_online && !lost_reported);
        if (report) {
            logger.warn("dnp3", options.id + ": " + name + " failed: " + error + "; communication lost");
            online = false;
            lost_reported = true;
            integrity.requested = true;  // the state is unknown after an outage
            update_stats([](SessionStats& s) { s.online = false; });
            emit("dnp3_comm_lost", "{\"task\":" + json_quote(name) + ",\"error\":" + json_quote(error) + "}");
        } else {
            logger.debug("dnp3", options.id + ": " + name + " failed again: " + error);
        }
        return;
    }

    const bool restored = lost_reported;
    online = true;
    ever_online = true;
    lost_reported = false;
    const TimestampUs now_us = clock.now_utc_us();
    update_stats([&](SessionStats& s) {
        s.online = true;
        s.last_success_us = now_us;
    });
    if (restored) {
        logger.info("dnp3", options.id + ": communication restored");
        emit("dnp3_comm_restored", "{\"task\":" + json_quote(name) + "}");
        if (task.kind != TaskKind::integrity) integrity.requested = true;
    }
    if (outcome == Outcome::ok) {
        backoff_steps = 0;
        retry_at = {};
        mark_done(task, now);
    } else {
        logger.warn("dnp3", options.id + ": " + name + ": " + error);
        back_off(now);
    }
    request_event_polls(task);  // after mark_done: a class poll that left events behind goes again
}

void Impl::handle_iin(const Iin& iin) {
    const Iin previous = last_iin;
    last_iin = iin;
    const auto rising = [&](std::uint16_t bit) { return iin.has(bit) && !previous.has(bit); };
    update_stats([&](SessionStats& s) {
        s.last_iin = iin.bits;
        if (rising(Iin::device_restart)) ++s.restarts_seen;
        if (rising(Iin::event_buffer_overflow)) ++s.overflows_seen;
    });

    if (rising(Iin::device_restart)) {
        logger.info("dnp3", options.id + ": outstation restarted (IIN DEVICE_RESTART)");
        emit("dnp3_restart", "{\"iin\":" + json_quote(iin.describe()) + "}");
        clear_restart_pending = true;
        need_time_holdoff = {};  // a restarted outstation asking for the time is heard at once
        // Its state may have changed in any way; an integrity poll in progress covers it.
        if (!is_current(TaskKind::integrity)) integrity.requested = true;
    }
    if (!iin.has(Iin::device_restart)) clear_restart_pending = false;

    // With a decider, NEED_TIME asks for a check (the decider sets or not), and the check
    // in progress already answers it.
    const bool checking = options.clock_decider && is_current(TaskKind::time_check);
    if (iin.has(Iin::need_time) && options.time_sync != TimeSyncMode::none && options.sync_on_need_time &&
        !time_set_reason && !is_current(TaskKind::time_set) && !checking && SteadyClock::now() >= need_time_holdoff)
        time_set_reason = "need_time";

    if (rising(Iin::event_buffer_overflow)) {
        logger.warn("dnp3", options.id + ": outstation event buffer overflowed: events were lost");
        emit("dnp3_event_overflow", "{\"iin\":" + json_quote(iin.describe()) + "}");
    }
    if (rising(Iin::device_trouble)) {
        logger.warn("dnp3", options.id + ": outstation reports DEVICE_TROUBLE");
        emit("dnp3_device_trouble", "{\"iin\":" + json_quote(iin.describe()) + "}");
    }
    if ((iin.bits & iin2_errors) != 0)
        logger.debug("dnp3", options.id + ": outstation answered with IIN " + iin.describe());
}

void Impl::emit(const std::string& kind, const std::string& detail_json) {
    if (stopped || abandoned || !on_event) return;
    on_event(SessionEvent{options.id, kind, detail_json, clock.now_utc_us()});
}

}  // namespace detail

struct MasterSession::Impl : detail::Impl {
    using detail::Impl::Impl;
};

MasterSession::MasterSession(transport::LineAccess& line, const Clock& clock, SessionOptions options,
                             DataHandler on_data, EventHandler on_event, Logger& logger)
    : impl_(std::make_shared<Impl>(line, clock, std::move(options), std::move(on_data), std::move(on_event),
                                           logger)) {}

MasterSession::~MasterSession() {
    impl_->abandoned = true;
    asio::post(impl_->executor, [impl = impl_] { impl->abandon(); });
}

void MasterSession::start() {
    asio::post(impl_->executor, [impl = impl_] { impl->start(); });
}

void MasterSession::stop(std::function<void()> done) {
    asio::post(impl_->executor, [impl = impl_, d = std::move(done)]() mutable { impl->stop(std::move(d)); });
}

void MasterSession::request_integrity() {
    asio::post(impl_->executor, [impl = impl_] {
        impl->integrity.requested = true;
        impl->pump();
    });
}

void MasterSession::request_time_check() {
    asio::post(impl_->executor, [impl = impl_] {
        impl->time_check.requested = true;
        impl->pump();
    });
}

SessionStats MasterSession::stats() const {
    std::lock_guard lock(impl_->stats_mutex);
    return impl_->stats;
}

const SessionOptions& MasterSession::options() const { return impl_->options; }

}  // namespace gridgate::dnp3
