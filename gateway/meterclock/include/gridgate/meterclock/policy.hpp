#pragma once
// MeterClockPolicy: for one meter, when to check its clock and what to do with each
// check's result. Pure: the caller measures (measure_offset), says when and how good the
// gateway's own time was, and acts on the Decision (set the clock, retry later, raise the
// alarms, write the audit events of audit.hpp).
//
// The rules of decide(), in order:
//   1. |offset| <= tolerance                     -> none     within_tolerance
//   2. gateway clock unsynced                    -> refuse   gateway_unsynced
//      (its offset means nothing: no alarm, no drift count)
//   3. uncertainty >= tolerance                  -> refuse   uncertain
//      (the measurement is too poor to act on: a slow round trip)
//   4. the check is beyond tolerance; after a successful set this counts towards the
//      drift alarm (once per set), see below
//   5. set: false, or not over this protocol     -> refuse   set_not_allowed
//   6. |offset| > max_step                       -> refuse   too_large (+ large_offset alarm)
//      unless allow_large_step (set, large_step_allowed) or an operator's
//      force_next_set() (set, large_step_forced)
//   7. inside +-guard of an interval end         -> postpone guard_window, retry_at = the
//      window's end
//   8.                                           -> set      out_of_tolerance
// The large_offset alarm is raised whenever rule 5 or 6 leaves an offset over max_step
// uncorrected. A gateway in holdover still sets (its clock is still disciplined, by the
// last drift estimate; the gateway's time watch lowers it to unsynced when its error
// bound grows too large); an unsynced gateway never sets.
//
// Drift: a meter set at time S (on_set) that is found beyond tolerance again at a later
// check has drifted; the count of such sets in a row grows by one per set (a postponed
// and re-measured check counts once) and falls to 0 at a check within tolerance. At
// drift_alarm_after, and every drift_alarm_after further, the decision carries a drift
// alarm with the rate estimated from the offset after the set and the offset now.
#include <cstdint>
#include <optional>
#include <string_view>

#include "gridgate/meterclock/policy_config.hpp"

namespace gridgate::meterclock {

// The gateway's own time quality when the check was made (the lead maps its time
// status onto this).
enum class GatewayTimeQuality { synced, holdover, unsynced };

// One measurement of the meter's clock.
struct ClockCheck {
    TimestampUs at = 0;                 // gateway UTC µs when measured
    Duration offset{};                  // meter - gateway, positive = meter fast (measure_offset)
    Duration uncertainty{};             // +- bound of offset
    GatewayTimeQuality gateway_quality = GatewayTimeQuality::synced;
    ClockProtocol protocol = ClockProtocol::dnp3;  // the protocol the set would go over
    Duration utc_offset{};              // the meter's local time - UTC at `at` (interval alignment)
};

enum class ClockAction { none, set, postpone, refuse };
enum class ClockReason {
    within_tolerance,
    out_of_tolerance,
    large_step_allowed,
    large_step_forced,
    gateway_unsynced,
    uncertain,
    set_not_allowed,
    too_large,
    guard_window,
};

struct DriftAlarm {
    unsigned consecutive = 0;     // sets in a row followed by a check beyond tolerance
    std::optional<double> ppm;    // meter clock rate error since the last set, + = gaining
};

struct ClockDecision {
    ClockAction action = ClockAction::none;
    ClockReason reason = ClockReason::within_tolerance;
    std::optional<TimestampUs> retry_at;   // postpone: the end of the guard window
    std::optional<DriftAlarm> drift;       // raise meter_clock_drift
    bool large_offset = false;             // raise meter_clock_large_offset
};

std::string_view to_string(GatewayTimeQuality q);
std::string_view to_string(ClockAction a);
std::string_view to_string(ClockReason r);

// What the policy knows about the meter, for status displays (gridgatectl time).
struct MeterClockState {
    std::optional<ClockCheck> last_check;
    std::optional<TimestampUs> last_set_at;       // successful sets only
    std::optional<Duration> offset_after_set;     // as measured after it (0 if not measured)
    unsigned drift_streak = 0;
    bool force_pending = false;
};

class MeterClockPolicy {
public:
    explicit MeterClockPolicy(ClockPolicyConfig config);

    // When the next check is due (UTC µs): `now` before any check, a postponed set's
    // retry_at, else the last check + check_period. nullopt when check_period is 0 and
    // nothing is pending. If the gateway's clock stepped back behind the last check, at
    // most one period from `now`.
    std::optional<TimestampUs> next_check(TimestampUs now) const;

    ClockDecision decide(const ClockCheck& check);

    // The set decided last was attempted at `at`: `ok` if the meter accepted it,
    // `offset_after` as re-measured (nullopt: not measured, taken as 0). A successful set
    // uses up a pending force.
    void on_set(bool ok, std::optional<Duration> offset_after, TimestampUs at);

    // An operator lets the next set through whatever its size (still audited). Does not
    // override set: false, an unsynced gateway or the guard window.
    void force_next_set() { force_pending_ = true; }

    const ClockPolicyConfig& config() const { return config_; }
    MeterClockState state() const;

private:
    void count_drift(const ClockCheck& check, ClockDecision& d);

    ClockPolicyConfig config_;
    std::optional<ClockCheck> last_check_;
    std::optional<TimestampUs> retry_at_;
    std::optional<TimestampUs> last_set_at_;
    Duration offset_after_set_{};
    bool counted_since_set_ = false;
    unsigned drift_streak_ = 0;
    bool force_pending_ = false;
};

}  // namespace gridgate::meterclock
