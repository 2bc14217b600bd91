#pragma once
// One meter's clock policy as configured (the `clock:` key of a meter or template,
// docs/configuration.md). The defaults here are the documented ones; the configuration
// loader checks the ranges and fills `protocols` with the meter's own protocol.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/time.hpp"

namespace gridgate::meterclock {

// The protocols a meter's clock may be read or set over. Modbus can only read (the
// reference meter's Modbus map shows the time read-only); the loader refuses it for sets.
enum class ClockProtocol { modbus, dnp3, dlms };

std::string_view to_string(ClockProtocol p);
std::optional<ClockProtocol> clock_protocol_from(std::string_view name);

struct ClockPolicyConfig {
    // How often the meter's clock is read unasked; 0 = only when asked (operator, DNP3
    // NEED_TIME). The reference meter compares every 1 to 1440 minutes.
    Duration check_period = std::chrono::minutes(15);
    // Offsets up to this are left alone (the reference meter's Ts: 10 ms to 10 s, 500 ms).
    Duration tolerance = std::chrono::milliseconds(500);
    // May the gateway set this meter's clock at all (false: check and report only).
    bool set = false;
    // A larger error is not corrected automatically: an alarm, and an operator decides
    // (force_next_set), unless allow_large_step.
    Duration max_step = std::chrono::minutes(5);
    bool allow_large_step = false;
    // No set within +-guard of an end of `interval` (it would split or merge a demand or
    // load-profile interval).
    Duration guard = std::chrono::seconds(30);
    Duration interval = std::chrono::minutes(15);
    // This many sets in a row, each followed by a check beyond tolerance, raise a drift alarm.
    unsigned drift_alarm_after = 2;
    // The meter's clock zone: "UTC" or an IANA name. Stored here; the zone arithmetic is
    // elsewhere.
    std::string time_zone = "UTC";
    // Which protocols may set the clock (membership is checked per set).
    std::vector<ClockProtocol> protocols;

    bool may_set_over(ClockProtocol p) const;
};

}  // namespace gridgate::meterclock
