#include "gridgate/meterclock/policy.hpp"

#include <algorithm>
#include <utility>

#include "gridgate/meterclock/interval_guard.hpp"

namespace gridgate::meterclock {

namespace {

Duration magnitude(Duration d) { return d < Duration::zero() ? -d : d; }

}  // namespace

bool ClockPolicyConfig::may_set_over(ClockProtocol p) const {
    return set && std::find(protocols.begin(), protocols.end(), p) != protocols.end();
}

MeterClockPolicy::MeterClockPolicy(ClockPolicyConfig config) : config_(std::move(config)) {}

std::optional<TimestampUs> MeterClockPolicy::next_check(TimestampUs now) const {
    if (retry_at_) return retry_at_;
    const auto period = config_.check_period.count();
    if (period <= 0) return std::nullopt;
    if (!last_check_) return now;
    // A backward step of the gateway's clock must not hold checks off for the step's length.
    return std::min(last_check_->at + period, now + period);
}

ClockDecision MeterClockPolicy::decide(const ClockCheck& check) {
    last_check_ = check;
    retry_at_.reset();
    ClockDecision d;
    const Duration error = magnitude(check.offset);
    const bool unsynced = check.gateway_quality == GatewayTimeQuality::unsynced;
    if (error <= config_.tolerance) {
        // Measured against an unsynced clock, "within" proves nothing about drift.
        if (!unsynced) drift_streak_ = 0;
        return d;
    }
    if (unsynced) {
        d.action = ClockAction::refuse;
        d.reason = ClockReason::gateway_unsynced;
        return d;
    }
    if (check.uncertainty >= config_.tolerance) {
        d.action = ClockAction::refuse;
        d.reason = ClockReason::uncertain;
        return d;
    }
    count_drift(check, d);
    const bool large = error > config_.max_step;
    if (!config_.may_set_over(check.protocol)) {
        d.action = ClockAction::refuse;
        d.reason = ClockReason::set_not_allowed;
        d.large_offset = large;
        return d;
    }
    d.reason = ClockReason::out_of_tolerance;
    if (large) {
        if (config_.allow_large_step) {
            d.reason = ClockReason::large_step_allowed;
        } else if (force_pending_) {
            d.reason = ClockReason::large_step_forced;
        } else {
            d.action = ClockAction::refuse;
            d.reason = ClockReason::too_large;
            d.large_offset = true;
            return d;
        }
    }
    if (const auto window = guard_window_at(check.at, config_.interval, config_.guard, check.utc_offset)) {
        d.action = ClockAction::postpone;
        d.reason = ClockReason::guard_window;
        d.retry_at = window->end;
        retry_at_ = window->end;
        return d;
    }
    d.action = ClockAction::set;
    return d;
}

// Once per successful set: the first check beyond tolerance after it.
void MeterClockPolicy::count_drift(const ClockCheck& check, ClockDecision& d) {
    if (!last_set_at_ || counted_since_set_) return;
    counted_since_set_ = true;
    ++drift_streak_;
    const unsigned every = std::max(1U, config_.drift_alarm_after);
    if (drift_streak_ % every != 0) return;
    DriftAlarm alarm;
    alarm.consecutive = drift_streak_;
    const auto elapsed = check.at - *last_set_at_;
    if (elapsed > 0)
        alarm.ppm = static_cast<double>((check.offset - offset_after_set_).count()) / static_cast<double>(elapsed) * 1e6;
    d.drift = alarm;
}

void MeterClockPolicy::on_set(bool ok, std::optional<Duration> offset_after, TimestampUs at) {
    if (!ok) return;
    last_set_at_ = at;
    offset_after_set_ = offset_after.value_or(Duration::zero());
    counted_since_set_ = false;
    force_pending_ = false;
}

MeterClockState MeterClockPolicy::state() const {
    MeterClockState s;
    s.last_check = last_check_;
    s.last_set_at = last_set_at_;
    if (last_set_at_) s.offset_after_set = offset_after_set_;
    s.drift_streak = drift_streak_;
    s.force_pending = force_pending_;
    return s;
}

}  // namespace gridgate::meterclock
