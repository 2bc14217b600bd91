// ClientSession: the meter's clock. Reads of attribute 2 with the times of the exchange,
// and either the session's own rules (offset checks, sets over tolerance outside the
// capture-boundary guard) or an outside policy's (ClockPolicyHooks) deciding each check.
#include <cmath>
#include <cstdlib>

#include "client_impl.hpp"

namespace gridgate::dlms::detail {

namespace {

std::string number_or_null(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : "null"; }

std::int64_t ms(Duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

// Meter minus gateway in ms against the midpoint of the exchange: the meter read its clock
// somewhere between our request leaving and its answer arriving.
std::int64_t offset_ms(const ClockReading& r) {
    const TimestampUs midpoint = r.sent_us + std::max<TimestampUs>(0, (r.received_us - r.sent_us) / 2);
    return std::llround(static_cast<double>(r.meter_us - midpoint) / 1000.0);
}

// The meter's local time minus UTC, to the minute: its fields read as if UTC, less the
// instant they stand for.
Duration utc_offset_of(const CosemDateTime& t, TimestampUs meter_us) {
    const LocalTime local = local_time_of(t);
    const TimestampUs as_utc = local.seconds * 1'000'000 + local.micros;
    const auto minutes = std::llround(static_cast<double>(as_utc - meter_us) / 60e6);
    return std::chrono::minutes(minutes);
}

}  // namespace

void Impl::read_clock(std::function<void(std::optional<ClockReading>)> then) {
    get(GetItem{{8, obis::clock, 2}, std::nullopt}, [this, then = std::move(then)](Got got) {
        if (!got.result.data) {
            report_access_error("clock time", got.result.result);
            return then(std::nullopt);
        }
        const auto t = as_date_time(*got.result.data);
        const auto utc = t ? to_utc_us(*t, options.time) : std::nullopt;
        if (!utc) {
            if (once("clock-value"))
                logger.warn("dlms", options.id + ": the meter's clock is not a complete date-time: " +
                                        describe(*got.result.data));
            return then(std::nullopt);
        }
        meter_time = MeterTimeBasis{t->deviation, t->status, true};
        clock_read = true;
        ClockReading reading{got.sent_us, *utc, got.at_us, resolution_of(*t), utc_offset_of(*t, *utc), *t};
        one_way_us = std::max<TimestampUs>(0, (got.at_us - got.sent_us) / 2);
        const std::int64_t offset = offset_ms(reading);
        meter_offset_ms = offset;
        update_stats([offset](ClientStats& s) { s.last_offset_ms = offset; });
        then(reading);
    });
}

void Impl::write_clock(std::function<void(AccessResult)> then) {
    set(
        AttributeDescriptor{8, obis::clock, 2},
        [this] {
            // Our time as the SET arrives, the way the meter's clock shows time (its
            // deviation, or local time in its zone with the deviation and DST bit).
            const TimestampUs now = clock.now_utc_us();
            policy_set_at = now;
            const CosemDateTime t = meter_time_at(now + one_way_us, meter_time, options.time);
            const auto octets = encode_date_time(t);
            return Data::octet_string(std::vector<std::uint8_t>(octets.begin(), octets.end()));
        },
        std::move(then));
}

// ------------------------------------------------------------------ the session's own rules

bool Impl::clock_set_allowed() const { return options.clock_set && !time_set_refused && !identity_blocked; }

TimestampUs Impl::clock_set_not_before() const {
    std::vector<Duration> periods;
    for (const auto& p : profiles)
        if (p.period.count() > 0) periods.push_back(p.period);
    return guard_clear_at(clock.now_utc_us(), periods, options.clock_guard, meter_offset_ms.value_or(0) * 1000);
}

void Impl::run_clock_check() {
    if (policy()) return run_policy_check();
    read_clock([this](std::optional<ClockReading> reading) {
        if (reading) {
            const std::int64_t offset = offset_ms(*reading);
            const std::int64_t tolerance = ms(options.clock_tolerance);
            const bool beyond = std::llabs(offset) > tolerance;
            emit("dlms_time_checked", "{\"offset_ms\":" + std::to_string(offset) + ",\"tolerance_ms\":" +
                                          std::to_string(tolerance) + ",\"beyond_tolerance\":" +
                                          (beyond ? "true" : "false") + "}");
            if (beyond && clock_set_allowed() && !clock_set_reason) clock_set_reason = "tolerance";
        }
        end_task(Outcome::ok);
    });
}

void Impl::run_clock_set() {
    const std::string reason = clock_set_reason.value_or("tolerance");
    if (!options.clock_set || (reason == "tolerance" && !clock_set_allowed())) return end_task(Outcome::ok);
    if (!granted(conformance::set)) {
        time_set_refused = true;
        emit("dlms_time_set_failed", "{\"offset_ms\":" + number_or_null(meter_offset_ms) +
                                         ",\"result\":\"set-not-granted\",\"reason\":" + json_quote(reason) + "}");
        return end_task(Outcome::ok);
    }
    read_clock([this, reason](std::optional<ClockReading> reading) {
        offset_before = reading ? std::optional<std::int64_t>(offset_ms(*reading)) : std::nullopt;
        if (reason == "tolerance" && offset_before && std::llabs(*offset_before) <= ms(options.clock_tolerance))
            return end_task(Outcome::ok);  // back in tolerance since the check
        write_clock([this, reason](AccessResult result) {
            if (result != AccessResult::success) {
                time_set_refused = true;  // no further automatic set this association
                update_stats([](ClientStats& s) { ++s.access_errors; });
                logger.warn("dlms", options.id + ": clock set refused: " + to_string(result));
                emit("dlms_time_set_failed", "{\"offset_ms\":" + number_or_null(offset_before) +
                                                 ",\"result\":" + json_quote(to_string(result)) +
                                                 ",\"reason\":" + json_quote(reason) + "}");
                return end_task(Outcome::ok);
            }
            read_clock([this, reason](std::optional<ClockReading> after) {
                update_stats([](ClientStats& s) { ++s.time_sets; });
                const auto after_ms = after ? std::optional<std::int64_t>(offset_ms(*after)) : std::nullopt;
                const std::string detail = "{\"offset_before_ms\":" + number_or_null(offset_before) +
                                           ",\"offset_after_ms\":" + number_or_null(after_ms) +
                                           ",\"reason\":" + json_quote(reason) + "}";
                logger.info("dlms", options.id + ": clock set " + detail);
                emit("dlms_time_set", detail);
                end_task(Outcome::ok);
            });
        });
    });
}

// ------------------------------------------------------------------ an outside policy

void Impl::run_policy_check() {
    read_clock([this](std::optional<ClockReading> reading) {
        const ClockCheckAnswer answer = options.clock_policy.on_check(reading);
        // Never due again at once: a policy answering "now" would spin the schedule.
        const TimestampUs earliest = clock.now_utc_us() + 1'000'000;
        policy_check_due_us = answer.next_check_us
                                  ? std::optional<TimestampUs>(std::max(*answer.next_check_us, earliest))
                                  : std::nullopt;
        if (!answer.set || !reading) return end_task(Outcome::ok);
        run_policy_set();
    });
}

void Impl::run_policy_set() {
    if (!granted(conformance::set)) {
        report_policy_set(ClockSetOutcome{"rejected", "set-not-granted", clock.now_utc_us(), std::nullopt});
        return end_task(Outcome::ok);
    }
    policy_set_stage = PolicySet::setting;
    write_clock([this](AccessResult result) {
        if (result != AccessResult::success) {
            policy_set_stage = PolicySet::idle;
            update_stats([](ClientStats& s) { ++s.access_errors; });
            logger.warn("dlms", options.id + ": clock set refused: " + to_string(result));
            report_policy_set(ClockSetOutcome{"rejected", to_string(result), policy_set_at, std::nullopt});
            return end_task(Outcome::ok);
        }
        update_stats([](ClientStats& s) { ++s.time_sets; });
        policy_set_stage = PolicySet::reading_back;
        read_clock([this](std::optional<ClockReading> after) {
            policy_set_stage = PolicySet::idle;
            report_policy_set(ClockSetOutcome{"ok", "success", policy_set_at, after});
            end_task(Outcome::ok);
        });
    });
}

void Impl::report_policy_set(ClockSetOutcome outcome) {
    if (abandoned || !options.clock_policy.on_set) return;
    options.clock_policy.on_set(outcome);
}

}  // namespace gridgate::dlms::detail
