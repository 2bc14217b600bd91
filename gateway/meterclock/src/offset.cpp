#include "gridgate/meterclock/offset.hpp"

namespace gridgate::meterclock {

std::optional<OffsetMeasurement> measure_offset(TimestampUs t_send_us, TimestampUs meter_time_us,
                                                TimestampUs t_recv_us, Duration meter_resolution) {
    if (t_recv_us < t_send_us || meter_resolution < Duration::zero()) return std::nullopt;
    const TimestampUs round_trip = t_recv_us - t_send_us;
    // send + rtt/2 rather than (send + recv)/2: no overflow near the ends of the range.
    const TimestampUs midpoint = t_send_us + round_trip / 2;
    const Duration half_step = meter_resolution / 2;
    OffsetMeasurement m;
    m.offset = Duration{meter_time_us - midpoint} + half_step;
    // Round the half round trip up so that an odd µs never makes the bound too tight.
    m.uncertainty = Duration{(round_trip + 1) / 2} + half_step;
    return m;
}

}  // namespace gridgate::meterclock
