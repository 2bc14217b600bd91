// ClientSession: lifecycle, the schedule of tasks, and what a task's outcome means
// (backoff, communication lost / restored). Exchanges on the line: client_exchange.cpp.
#include <algorithm>
#include <boost/asio/post.hpp>
#include <stdexcept>

#include "client_impl.hpp"

namespace gridgate::dlms {

namespace asio = boost::asio;

namespace detail {

namespace {

SteadyClock::time_point next_slot(SteadyClock::time_point start, Duration period, SteadyClock::time_point now) {
    // The first slot after now on the grid start + k * period: an outage skips the slots
    // it missed instead of running them in a burst.
    const auto elapsed = std::chrono::duration_cast<Duration>(now - start);
    const auto k = elapsed.count() < 0 ? 0 : elapsed / period + 1;
    return start + period * k;
}

}  // namespace

Impl::Impl(transport::LineAccess& l, const Clock& c, ClientOptions o, ReadingsHandler r, ClientEventHandler e,
           Logger& lg)
    : line(l),
      clock(c),
      options(std::move(o)),
      on_readings(std::move(r)),
      on_event(std::move(e)),
      logger(lg),
      executor(l.executor()),
      schedule_timer(executor),
      tcp(options.transport == TransportKind::tcp_wrapper) {
    if (!tcp) {
        // Setup errors, not wire data: an address that cannot be encoded never works.
        if (options.client_sap == 0 || options.client_sap > 0x7F)
            throw std::invalid_argument("dlms: an HDLC client SAP must be 1..127");
        (void)encode_address(HdlcAddress::server(options.hdlc.logical_device, options.hdlc.physical_id,
                                                 options.hdlc.address_octets));
    }
    LinkEnv env{executor, clock, logger, options, [this](const std::function<void(ClientStats&)>& f) {
                    update_stats(f);
                }};
    link = tcp ? make_wrapper_link(std::move(env)) : make_hdlc_link(std::move(env));
    stats.id = options.id;
    profiles.resize(options.profiles.size());
    for (std::size_t i = 0; i < options.profiles.size(); ++i) {
        ProfileStats ps;
        ps.name = options.profiles[i].name;
        ps.last_end_us = options.profiles[i].last_stored_end_us;
        stats.profiles.push_back(ps);
        profiles[i].pointer = options.profiles[i].last_stored_end_us;
        profiles[i].pointer_stored = profiles[i].pointer.has_value();
    }
}

void Impl::start() {
    if (running || stopping || abandoned) return;
    running = true;
    start_time = SteadyClock::now();
    const auto setup = [&](Periodic& p, Duration period, bool wanted) {
        p.period = wanted ? period : Duration{0};
        p.next = start_time + period;
        p.requested = wanted;
    };
    setup(identity_task, options.identity_period, !options.identity.empty());
    setup(registers_task, options.register_period,
          !options.registers.empty() && options.register_period.count() > 0);
    setup(clock_check_task, options.clock_check_period, options.clock_check_period.count() > 0);
    if (policy()) {
        // The policy schedules its checks (policy_check_due_us); the first one at start.
        clock_check_task.period = Duration{0};
        clock_check_task.requested = options.clock_check_period.count() > 0;
    }
    logger.info("dlms", options.id + ": session with " +
                            (tcp ? "wrapper port " + std::to_string(options.server_wport)
                                 : "HDLC address " + std::to_string(options.hdlc.logical_device) + "/" +
                                       std::to_string(options.hdlc.physical_id)) +
                            " on " + line.line_description() + " started (client " +
                            std::to_string(options.client_sap) + ")");
    pump();
}

void Impl::stop(std::function<void()> done) {
    if (done) stop_handlers.push_back(std::move(done));
    stopping = true;
    ++arm_id;
    schedule_timer.cancel();
    finish_stop_if_idle();
}

void Impl::finish_stop_if_idle() {
    if (!stopping || current || acquiring) return;
    if (!stopped) {
        if (associated && running) return run(Task{TaskKind::release});  // comes back here when done
        stopped = true;
        update_stats([](ClientStats& s) {
            s.online = false;
            s.associated = false;
        });
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
    ++arm_id;
    schedule_timer.cancel();
    stop_handlers.clear();
    const bool busy = link->busy();
    link->abort();
    if (lease) {
        lease->release(busy && !options.line_cancels_pending_read);
        lease.reset();
    }
}

std::string Impl::task_name(const Task& task) const {
    switch (task.kind) {
        case TaskKind::identity: return "identity";
        case TaskKind::clock_check: return "clock_check";
        case TaskKind::clock_set: return "clock_set";
        case TaskKind::profile: return "profile:" + options.profiles.at(task.profile).name;
        case TaskKind::registers: return "registers";
        case TaskKind::release: return "release";
    }
    return "unknown";
}

bool Impl::once(const std::string& key) { return reported.insert(key).second; }

// ------------------------------------------------------------------ the schedule

// Order among due tasks: the identity first (a swapped meter must not be read or set), the
// clock (its deviation dates the profile ranges; a set is due only outside the guard), the
// profiles (what the meter can lose), then the registers.
std::optional<Task> Impl::pick(SteadyClock::time_point now) const {
    if (identity_task.due(now) && !options.identity.empty()) return Task{TaskKind::identity};
    if (identity_blocked) return std::nullopt;
    if (clock_check_task.due(now)) return Task{TaskKind::clock_check};
    if (policy_check_due_us && clock.now_utc_us() >= *policy_check_due_us) return Task{TaskKind::clock_check};
    // A set waits for the profiles' capture periods (the guard needs them) and the guard.
    const bool periods_known = std::all_of(profiles.begin(), profiles.end(), [](const ProfileState& p) {
        return p.period.count() > 0 || p.failures > 0;
    });
    if (clock_set_reason && periods_known && clock.now_utc_us() >= clock_set_not_before())
        return Task{TaskKind::clock_set};
    for (std::size_t i = 0; i < profiles.size(); ++i) {
        const auto due = profile_due(i);
        if (due && clock.now_utc_us() >= *due && now >= profiles[i].retry_at) return Task{TaskKind::profile, i};
    }
    if (registers_task.due(now) && !options.registers.empty()) return Task{TaskKind::registers};
    return std::nullopt;
}

void Impl::pump() {
    if (!running || stopping || abandoned || acquiring || current) return;
    const auto now = SteadyClock::now();
    if (now < retry_at) return arm_schedule(now);  // backing off: nothing starts before
    if (auto task = pick(now)) return run(*task);
    if (associated && now >= last_activity + options.idle_release) return run(Task{TaskKind::release});
    arm_schedule(now);
}

void Impl::arm_schedule(SteadyClock::time_point now) {
    auto at = SteadyClock::time_point::max();
    const auto consider = [&](SteadyClock::time_point t) { at = std::min(at, std::max(t, now)); };
    // Wall-clock instants become steady ones, looked at again after wall_clock_recheck.
    const TimestampUs wall = clock.now_utc_us();
    const auto recheck = std::max<Duration>(options.wall_clock_recheck, std::chrono::milliseconds(1));
    const auto consider_wall = [&](TimestampUs t) {
        consider(now + std::min<Duration>(Duration{std::max<TimestampUs>(0, t - wall)}, recheck));
    };
    if (now < retry_at) {
        consider(retry_at);
    } else {
        for (const Periodic* p : {&identity_task, &registers_task, &clock_check_task})
            if (p->period.count() > 0) consider(p->next);
        if (clock_set_reason && !identity_blocked) consider_wall(clock_set_not_before());
        if (policy_check_due_us && !identity_blocked) consider_wall(*policy_check_due_us);
        for (std::size_t i = 0; i < profiles.size() && !identity_blocked; ++i) {
            if (const auto due = profile_due(i)) {
                if (now < profiles[i].retry_at) consider(profiles[i].retry_at);
                else consider_wall(*due);
            }
        }
        if (associated) consider(last_activity + options.idle_release);
    }
    if (at == SteadyClock::time_point::max()) return;
    const std::uint64_t id = ++arm_id;
    schedule_timer.expires_at(at);
    schedule_timer.async_wait([self = shared_from_this(), id](const boost::system::error_code& ec) {
        if (ec || self->abandoned || id != self->arm_id) return;
        self->pump();
    });
}

void Impl::mark_done(const Task& task) {
    const auto now = SteadyClock::now();
    const auto advance = [&](Periodic& p) {
        p.requested = false;
        if (p.period.count() > 0) p.next = next_slot(start_time, p.period, now);
    };
    switch (task.kind) {
        case TaskKind::identity: advance(identity_task); break;
        case TaskKind::registers: advance(registers_task); break;
        case TaskKind::clock_check: advance(clock_check_task); break;
        case TaskKind::clock_set: clock_set_reason.reset(); break;
        case TaskKind::profile:  // finish_profile_poll() moved its schedule
        case TaskKind::release: break;
    }
}

void Impl::back_off(SteadyClock::time_point now) {
    ++backoff_steps;
    Duration delay = options.retry_min;
    for (unsigned i = 1; i < backoff_steps && delay < options.retry_max; ++i) delay *= 2;
    retry_at = now + std::min(delay, options.retry_max);
}

// ------------------------------------------------------------------ tasks

void Impl::run(Task task) {
    ++arm_id;
    schedule_timer.cancel();
    current = task;
    ++gen;
    if (logger.trace_enabled(options.id)) logger.info("dlms", options.id + ": task " + task_name(task));
    if (task.kind == TaskKind::release) return release_association();
    with_association([this, task] {
        switch (task.kind) {
            case TaskKind::identity: return run_identity();
            case TaskKind::clock_check: return run_clock_check();
            case TaskKind::clock_set: return run_clock_set();
            case TaskKind::profile: return run_profile(task.profile);
            case TaskKind::registers: return run_registers();
            case TaskKind::release: return;
        }
    });
}

void Impl::end_task(Outcome outcome, const std::string& error) {
    if (!current) return;
    const Task task = *current;
    current.reset();
    ++gen;
    poll.awaiting_done = false;
    const auto now = SteadyClock::now();
    const std::string name = task_name(task);
    if (policy_set_stage != PolicySet::idle) {
        // The task ended inside a set the policy asked for: it was sent but not answered
        // (failed), or answered and not read back (ok, offset after unknown).
        const bool accepted = policy_set_stage == PolicySet::reading_back;
        policy_set_stage = PolicySet::idle;
        report_policy_set(ClockSetOutcome{accepted ? "ok" : "failed", accepted ? "success" : error, policy_set_at,
                                          std::nullopt});
    }
    if (!error.empty()) update_stats([&](ClientStats& s) { s.last_error = name + ": " + error; });
    if (outcome == Outcome::failed) {
        back_off(now);
        if (online || (!ever_online && !lost_reported)) {
            logger.warn("dlms", options.id + ": " + name + " failed: " + error + "; communication lost");
            online = false;
            lost_reported = true;
            update_stats([](ClientStats& s) { s.online = false; });
            emit("dlms_comm_lost", "{\"task\":" + json_quote(name) + ",\"error\":" + json_quote(error) + "}");
        } else {
            logger.debug("dlms", options.id + ": " + name + " failed again: " + error);
        }
    } else if (outcome == Outcome::soft_failure) {
        back_off(now);
        logger.warn("dlms", options.id + ": " + name + ": " + error);
    } else {
        const bool restored = lost_reported;
        online = true;
        ever_online = true;
        lost_reported = false;
        backoff_steps = 0;
        retry_at = {};
        const TimestampUs now_us = clock.now_utc_us();
        update_stats([&](ClientStats& s) {
            s.online = true;
            s.last_success_us = now_us;
        });
        if (restored) {
            // After an outage the meter may have been swapped: check who it is again.
            if (!options.identity.empty()) identity_task.requested = true;
            logger.info("dlms", options.id + ": communication restored");
            emit("dlms_comm_restored", "{\"task\":" + json_quote(name) + "}");
        }
        mark_done(task);
    }
    if (stopping) return finish_stop_if_idle();
    pump();
}

void Impl::association_lost() {
    associated = false;
    link->forget();
    reported.clear();
    scalers.clear();
    clock_read = false;
    time_set_refused = false;
    for (auto& p : profiles) p.attributes_read = false;
    update_stats([](ClientStats& s) { s.associated = false; });
}

void Impl::emit(const std::string& kind, const std::string& detail_json) {
    if (abandoned || !on_event) return;
    on_event(ClientEvent{options.id, kind, detail_json, clock.now_utc_us()});
}

}  // namespace detail

struct ClientSession::Impl : detail::Impl {
    using detail::Impl::Impl;
};

ClientSession::ClientSession(transport::LineAccess& line, const Clock& clock, ClientOptions options,
                             ReadingsHandler on_readings, ClientEventHandler on_event, Logger& logger)
    : impl_(std::make_shared<Impl>(line, clock, std::move(options), std::move(on_readings), std::move(on_event),
                                   logger)) {}

ClientSession::~ClientSession() {
    impl_->abandoned = true;
    asio::post(impl_->executor, [impl = impl_] { impl->abandon(); });
}

void ClientSession::start() {
    asio::post(impl_->executor, [impl = impl_] { impl->start(); });
}

void ClientSession::stop(std::function<void()> done) {
    asio::post(impl_->executor, [impl = impl_, d = std::move(done)]() mutable { impl->stop(std::move(d)); });
}

void ClientSession::request_profile_read() {
    asio::post(impl_->executor, [impl = impl_] {
        for (auto& p : impl->profiles) {
            p.requested = true;
            p.retry_at = {};
        }
        impl->pump();
    });
}

void ClientSession::request_clock_check() {
    asio::post(impl_->executor, [impl = impl_] {
        impl->clock_check_task.requested = true;
        impl->pump();
    });
}

void ClientSession::request_clock_set() {
    asio::post(impl_->executor, [impl = impl_] {
        if (impl->policy()) {
            // The policy decides on the check (its owner forces the set if it wants).
            impl->clock_check_task.requested = true;
            return impl->pump();
        }
        if (!impl->options.clock_set) {
            impl->logger.warn("dlms", impl->options.id + ": clock set requested but clock_set is off");
            return;
        }
        impl->clock_set_reason = "request";
        impl->pump();
    });
}

ClientStats ClientSession::stats() const {
    std::lock_guard lock(impl_->stats_mutex);
    return impl_->stats;
}

const ClientOptions& ClientSession::options() const { return impl_->options; }

}  // namespace gridgate::dlms
