#pragma once
// The audit events of meter clock checks and sets: their kinds and the JSON detail each
// carries (the store's audit log and the MQTT `events` topic take the detail as text).
//
// Fields of every kind (null when not known):
//   meter, protocol                       the meter id; modbus | dnp3 | dlms
//   offset_before_ms, offset_after_ms     meter - gateway in ms (µs resolution), + = meter fast
//   uncertainty_ms                        +- bound of offset_before_ms
//   tolerance_ms                          the policy's tolerance
//   gateway_time_quality                  synced | holdover | unsynced
//   action, reason                        the decision (policy.hpp names)
//   result                                as given: check "ok" | "failed" (no time read);
//                                         set "ok" | "rejected" (meter refused) | "failed"
// and, by kind:
//   meter_time_check          retry_at (ISO-8601 UTC, a postponed set)
//   meter_clock_drift         consecutive, drift_ppm
//   meter_clock_large_offset  max_step_ms
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/meterclock/policy.hpp"

namespace gridgate::meterclock {

namespace audit_kind {
inline constexpr std::string_view time_check = "meter_time_check";
inline constexpr std::string_view time_set = "meter_time_set";
inline constexpr std::string_view clock_drift = "meter_clock_drift";
inline constexpr std::string_view clock_large_offset = "meter_clock_large_offset";
}  // namespace audit_kind

struct ClockAuditRecord {
    std::string meter;
    ClockProtocol protocol = ClockProtocol::dnp3;
    std::optional<Duration> offset_before;
    std::optional<Duration> offset_after;
    std::optional<Duration> uncertainty;
    std::optional<Duration> tolerance;
    std::optional<Duration> max_step;
    GatewayTimeQuality gateway_time_quality = GatewayTimeQuality::unsynced;
    std::optional<ClockAction> action;
    std::optional<ClockReason> reason;
    std::string result = "ok";
    std::optional<TimestampUs> retry_at;
    std::optional<DriftAlarm> drift;
};

// The record of a check and the decision on it (result "ok"); for the set event, copy it
// and fill offset_after and result.
ClockAuditRecord audit_record(std::string meter, const ClockCheck& check, const ClockDecision& decision,
                              const ClockPolicyConfig& config);

// The JSON object (one line) for an event of `kind`.
std::string audit_detail(std::string_view kind, const ClockAuditRecord& record);

// The events a decision calls for, in order: meter_time_check, then meter_clock_drift
// and meter_clock_large_offset when raised. meter_time_set follows the set itself.
std::vector<std::string_view> audit_kinds(const ClockDecision& decision);

}  // namespace gridgate::meterclock
