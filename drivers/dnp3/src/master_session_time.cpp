// MasterSession time tasks: reading the outstation's clock (g50v1), and the LAN and
// non-LAN time-set procedures of IEEE 1815, driven either by the session's own rule
// (NEED_TIME, beyond time_tolerance) or by its owner's clock_decider (clock_sync.hpp).
#include <cmath>
#include <cstdlib>

#include "master_session_impl.hpp"

namespace gridgate::dnp3::detail {

namespace {

constexpr std::uint16_t iin2_errors = Iin::no_func_code_support | Iin::object_unknown | Iin::parameter_error;

std::string json_number_or_null(const std::optional<std::int64_t>& v) {
    return v ? std::to_string(*v) : std::string("null");
}

// The meter read its clock somewhere between our request leaving and its answer
// arriving: compare with the midpoint.
TimestampUs midpoint_of(const ClockMeasurement& m) { return m.sent_us + (m.received_us - m.sent_us) / 2; }

std::optional<std::int64_t> offset_ms(const ClockMeasurement& m) {
    if (!m.meter_us) return std::nullopt;
    return std::llround(static_cast<double>(*m.meter_us - midpoint_of(m)) / 1000.0);
}

}  // namespace

// ------------------------------------------------------------------ reading the clock

void Impl::read_clock(std::function<void(const ClockMeasurement&)> then) {
    const std::uint8_t seq = next_seq();
    ReadItem item;
    item.group = 50;
    item.variation = 1;
    item.qualifier = Qualifier::count_8;
    item.count = 1;
    const std::vector<ReadItem> items{item};
    request(encode_read(request_control(seq), items), seq, [this, then = std::move(then)](Response r) {
        ClockMeasurement m;
        m.sent_us = request_sent_us;
        m.received_us = response_received_us;
        m.need_time = r.iin.has(Iin::need_time);
        if (r.time) {
            m.meter_us = meter_time_to_utc(*r.time, options.meter_time_zone, midpoint_of(m));
            const auto offset = offset_ms(m);
            update_stats([&](SessionStats& s) {
                s.last_offset_ms = offset;
                s.last_offset_at_us = m.received_us;
            });
        } else {
            logger.warn("dnp3", options.id + ": no time in the answer to a time read (IIN " + r.iin.describe() + ")");
        }
        confirm_if_asked(r, [then, m] { then(m); });
    });
}

void Impl::read_time(std::function<void(std::optional<std::int64_t>)> then) {
    read_clock([then = std::move(then)](const ClockMeasurement& m) { then(offset_ms(m)); });
}

// ------------------------------------------------------------------ the session's own rule

void Impl::run_time_check() {
    if (options.clock_decider) return run_decided_check();
    read_time([this](std::optional<std::int64_t> offset) {
        if (offset) {
            const auto tolerance_ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(options.time_tolerance).count();
            const bool beyond = std::llabs(*offset) > tolerance_ms;
            emit("dnp3_time_checked", "{\"offset_ms\":" + std::to_string(*offset) +
                                          ",\"tolerance_ms\":" + std::to_string(tolerance_ms) +
                                          ",\"beyond_tolerance\":" + (beyond ? "true" : "false") + "}");
            if (beyond && options.time_sync != TimeSyncMode::none && !time_set_reason) time_set_reason = "tolerance";
        }
        finish(Outcome::ok);
    });
}

void Impl::run_time_set() {
    if (options.clock_decider) return run_decided_check();  // NEED_TIME asks for a check
    const std::string reason = time_set_reason.value_or("tolerance");
    if (options.time_sync == TimeSyncMode::none) return finish(Outcome::ok);
    read_time([this, reason](std::optional<std::int64_t> before) {
        offset_before = before;
        auto after_set = [this, reason](bool accepted) {
            if (!accepted) return conclude_time_set(reason, "rejected", std::nullopt);
            read_time([this, reason](std::optional<std::int64_t> after) { conclude_time_set(reason, "ok", after); });
        };
        if (options.time_sync == TimeSyncMode::lan) set_time_lan(std::move(after_set));
        else set_time_non_lan(std::move(after_set));
    });
}

// ------------------------------------------------------------------ the owner's decision

void Impl::run_decided_check() {
    read_clock([this](const ClockMeasurement& m) {
        recheck_at.reset();
        if (m.need_time) {
            // This check answers the request; the outstation may keep asking if the
            // decider leaves its clock alone.
            need_time_holdoff = SteadyClock::now() + options.need_time_recheck;
            time_set_reason.reset();
        }
        ClockVerdict verdict;
        try {
            verdict = options.clock_decider(m);
        } catch (const std::exception& e) {
            logger.error("dnp3", options.id + ": clock decision failed: " + e.what() + "; clock not set");
        }
        if (verdict.recheck_after) recheck_at = SteadyClock::now() + *verdict.recheck_after;
        if (!verdict.set) return finish(Outcome::ok);
        offset_before = offset_ms(m);
        run_decided_set(verdict.reason);
    });
}

void Impl::run_decided_set(const std::string& reason) {
    decided_set_running = true;
    if (options.time_sync == TimeSyncMode::none) {
        abort_decided_set("time_sync is none: this session never sets the clock");
        return finish(Outcome::ok);
    }
    auto after_set = [this, reason](bool accepted) {
        if (!accepted) return conclude_decided_set(reason, "rejected", std::nullopt);
        read_clock([this, reason](const ClockMeasurement& after) { conclude_decided_set(reason, "ok", after); });
    };
    if (options.time_sync == TimeSyncMode::lan) set_time_lan(std::move(after_set));
    else set_time_non_lan(std::move(after_set));
}

void Impl::conclude_decided_set(const std::string& reason, const char* result, std::optional<ClockMeasurement> after) {
    decided_set_running = false;
    TimeSetResult r;
    r.result = result;
    r.procedure = options.time_sync;
    r.after = after;
    r.at_us = clock.now_utc_us();
    if (options.on_time_set) options.on_time_set(r);
    conclude_time_set(reason, result, after ? offset_ms(*after) : std::nullopt);
}

void Impl::abort_decided_set(const std::string& error) {
    if (!decided_set_running) return;
    decided_set_running = false;
    logger.warn("dnp3", options.id + ": clock set failed: " + error);
    TimeSetResult r;
    r.result = "failed";
    r.procedure = options.time_sync;
    r.at_us = clock.now_utc_us();
    r.error = error;
    if (options.on_time_set) options.on_time_set(r);
}

// ------------------------------------------------------------------ the procedures

// LAN procedure (IEEE 1815): the outstation notes its clock when RECORD_CURRENT_TIME
// arrives, we note ours when it leaves; WRITE g50v3 then tells it what its clock should
// have read at that instant. Network delay on a LAN is negligible.
void Impl::set_time_lan(std::function<void(bool accepted)> then) {
    const std::uint8_t seq = next_seq();
    request(encode_function_only(request_control(seq), FunctionCode::record_current_time), seq,
            [this, then = std::move(then)](Response r) {
                if ((r.iin.bits & iin2_errors) != 0) return then(false);
                const DnpTime recorded = utc_to_meter_time(request_sent_us, options.meter_time_zone);
                const std::uint8_t write_seq = next_seq();
                request(encode_write_last_recorded_time(request_control(write_seq), recorded), write_seq,
                        [then](Response w) { then((w.iin.bits & iin2_errors) == 0); });
            });
}

// Non-LAN procedure: DELAY_MEASURE's round trip less the outstation's processing time
// (g52v2) is twice the one-way delay; the time written is ours plus that delay, the
// moment the write reaches the outstation.
void Impl::set_time_non_lan(std::function<void(bool accepted)> then) {
    const std::uint8_t seq = next_seq();
    request(encode_function_only(request_control(seq), FunctionCode::delay_measure), seq,
            [this, then = std::move(then)](Response r) {
                if ((r.iin.bits & iin2_errors) != 0) return then(false);
                const TimestampUs round_trip = response_received_us - request_sent_us;
                const TimestampUs processing = static_cast<TimestampUs>(r.delay_ms.value_or(0)) * 1000;
                const TimestampUs one_way = std::max<TimestampUs>(0, (round_trip - processing) / 2);
                const DnpTime time = utc_to_meter_time(clock.now_utc_us() + one_way, options.meter_time_zone);
                const std::uint8_t write_seq = next_seq();
                request(encode_write_time(request_control(write_seq), time), write_seq,
                        [then](Response w) { then((w.iin.bits & iin2_errors) == 0); });
            });
}

void Impl::conclude_time_set(const std::string& reason, const char* result, std::optional<std::int64_t> after) {
    const bool ok = std::string(result) == "ok";
    const TimestampUs now_us = clock.now_utc_us();
    // An outstation that keeps asking (NEED_TIME) right after a set, e.g. because it
    // refuses the write, is not set again before this.
    need_time_holdoff = std::max(need_time_holdoff, SteadyClock::now() + options.retry_max);
    if (ok)
        update_stats([&](SessionStats& s) {
            ++s.time_sets;
            s.last_time_set_us = now_us;
        });
    const std::string detail = std::string("{\"procedure\":\"") + to_string(options.time_sync) +
                               "\",\"offset_before_ms\":" + json_number_or_null(offset_before) +
                               ",\"offset_after_ms\":" + json_number_or_null(after) + ",\"reason\":" + json_quote(reason) +
                               ",\"result\":\"" + result + "\"}";
    if (ok) logger.info("dnp3", options.id + ": clock set " + detail);
    else logger.warn("dnp3", options.id + ": clock set refused " + detail);
    emit("dnp3_time_set", detail);
    finish(Outcome::ok);
}

}  // namespace gridgate::dnp3::detail
