#pragma once
// A meter's clock offset from one request/response exchange.
//
// Sign: offset = meter clock - gateway clock, so a POSITIVE offset means the meter is
// FAST (ahead of the gateway) and a set moves it back.
//
// The meter read its clock somewhere between the request leaving (t_send) and the answer
// arriving (t_recv); taking the midpoint assumes equal delays both ways, and the error of
// that assumption is at most half the round trip, whatever the real split: that is the
// uncertainty.
#include <optional>

#include "gridgate/core/time.hpp"

namespace gridgate::meterclock {

struct OffsetMeasurement {
    Duration offset{};       // meter - gateway; positive = meter fast
    Duration uncertainty{};  // the true offset is within offset +- uncertainty
};

// All three in µs since the epoch, the sends on the gateway's UTC clock. A meter that
// reports its time only to `meter_resolution` (whole seconds: 1s), truncating, is read as
// the middle of that step, and half a step is added to the uncertainty.
// nullopt when t_recv < t_send: the gateway's clock stepped back during the exchange, so
// nothing can be said.
std::optional<OffsetMeasurement> measure_offset(TimestampUs t_send_us, TimestampUs meter_time_us,
                                                TimestampUs t_recv_us, Duration meter_resolution = Duration::zero());

}  // namespace gridgate::meterclock
