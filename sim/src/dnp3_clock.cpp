#include "gridgate/sim/dnp3_clock.hpp"

#include <cmath>

namespace gridgate::sim {

MeterClock::MeterClock(TimestampUs utc_us, Duration offset, double drift_ppm)
    : base_utc_us_(utc_us), base_meter_us_(utc_us + offset.count()), drift_ppm_(drift_ppm) {}

TimestampUs MeterClock::read_us(TimestampUs utc_us) const {
    const auto elapsed = static_cast<double>(utc_us - base_utc_us_);
    // The drift term is rounded on its own so a drift-free clock stays exact.
    const auto drift = static_cast<TimestampUs>(std::llround(elapsed * drift_ppm_ * 1e-6));
    return base_meter_us_ + (utc_us - base_utc_us_) + drift;
}

std::uint64_t MeterClock::read_ms(TimestampUs utc_us) const {
    const TimestampUs us = read_us(utc_us);
    return us <= 0 ? 0 : static_cast<std::uint64_t>(us / 1000);
}

void MeterClock::set(TimestampUs utc_us, TimestampUs meter_us) {
    base_utc_us_ = utc_us;
    base_meter_us_ = meter_us;
}

TimestampUs MeterClock::system_time_when(TimestampUs meter_us) const {
    const auto ahead = static_cast<double>(meter_us - base_meter_us_);
    return base_utc_us_ + static_cast<TimestampUs>(std::llround(ahead / (1.0 + drift_ppm_ * 1e-6)));
}

}  // namespace gridgate::sim
