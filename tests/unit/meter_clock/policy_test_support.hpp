#pragma once
// A settable policy and checks at chosen times, for the policy tests.
#include "gridgate/meterclock/policy.hpp"

namespace gridgate::meterclock::test {

using namespace std::chrono_literals;

inline constexpr TimestampUs minute = 60'000'000;
inline constexpr TimestampUs second = 1'000'000;
// 2025-01-06T10:00:00Z: a boundary of every interval that divides an hour.
inline constexpr TimestampUs ten_oclock = 1'736'157'600'000'000;
// Mid-interval for 15-minute intervals: far from any guard window.
inline constexpr TimestampUs mid = ten_oclock + 7 * minute;

inline ClockPolicyConfig settable() {
    ClockPolicyConfig c;
    c.set = true;
    c.protocols = {ClockProtocol::dnp3};
    return c;  // tolerance 500ms, max_step 5m, guard 30s, interval 15m, drift after 2
}

inline ClockCheck check_at(TimestampUs at, Duration offset, Duration uncertainty = 20ms,
                           GatewayTimeQuality quality = GatewayTimeQuality::synced) {
    ClockCheck c;
    c.at = at;
    c.offset = offset;
    c.uncertainty = uncertainty;
    c.gateway_quality = quality;
    c.protocol = ClockProtocol::dnp3;
    return c;
}

}  // namespace gridgate::meterclock::test
