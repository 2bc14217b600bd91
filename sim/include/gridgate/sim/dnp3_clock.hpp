#pragma once
// A simulated meter's own clock: system UTC plus an offset, running fast or slow by a
// drift in parts per million. Time sets (DNP3 writes, the control socket) move it; the
// rate stays. Pure: the system time is a parameter.
#include <cstdint>

#include "gridgate/core/time.hpp"

namespace gridgate::sim {

class MeterClock {
public:
    // At system time `utc_us` the clock reads utc_us + offset.
    MeterClock(TimestampUs utc_us, Duration offset, double drift_ppm);

    // What the clock reads at system time `utc_us` (µs since the epoch).
    TimestampUs read_us(TimestampUs utc_us) const;
    // The same in whole milliseconds (DNP3 time).
    std::uint64_t read_ms(TimestampUs utc_us) const;
    // Sets the clock so that at system time `utc_us` it reads `meter_us`.
    void set(TimestampUs utc_us, TimestampUs meter_us);
    // The system time at which the clock will read `meter_us` (the inverse of read_us).
    TimestampUs system_time_when(TimestampUs meter_us) const;

    double drift_ppm() const { return drift_ppm_; }

private:
    TimestampUs base_utc_us_;
    TimestampUs base_meter_us_;
    double drift_ppm_;
};

}  // namespace gridgate::sim
