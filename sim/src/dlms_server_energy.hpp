#pragma once
// Energy of the simulated DLMS meter's load between two meter-clock instants, for the
// load profile intervals and the energy registers alike. The load model is sampled on a
// fixed 10-second grid of meter time (each sample holds for its 10 s), so a week of
// history costs ~60 000 samples, and integrate(a, b) + integrate(b, c) == integrate(a, c)
// up to rounding: intervals and registers agree. Spans the meter was unpowered are left
// out.
#include <array>
#include <cstdint>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/sim/load_model.hpp"

namespace gridgate::sim::dlms_server {

inline constexpr std::int64_t integration_step_us = 10'000'000;

// Load model second of a meter-clock instant: seconds since the epoch of the meter's
// clock, so values depend only on the seed and the meter time (not on when the
// simulator started).
std::int64_t model_second(TimestampUs meter_us);

// Wh / varh per phase (0..2) and for the polyphase total (3); delivered and received.
struct EnergySums {
    std::array<double, 4> wh_del{};
    std::array<double, 4> wh_rec{};
    std::array<double, 4> varh_del{};
    std::array<double, 4> varh_rec{};
    EnergySums& operator+=(const EnergySums& other);
};

// A span of meter time [from, to) without power.
struct Outage {
    TimestampUs from_us = 0;
    TimestampUs to_us = 0;
};

// Energy over [from_us, to_us) of meter time, leaving out the outages. Empty when
// to_us <= from_us.
EnergySums integrate_energy(const LoadModel& load, TimestampUs from_us, TimestampUs to_us,
                            const std::vector<Outage>& outages);

// The energy registers: a base reading plus the load integrated over the meter time
// that has passed. A step of the meter clock moves where counting resumes, not the
// totals: a step forward adds no energy for the span jumped over, a step back counts the
// time that passes again (it is new energy), and the registers never go down.
class EnergyRegisters {
public:
    EnergyRegisters(EnergySums base, TimestampUs start_meter_us) : total_(base), counted_to_(start_meter_us) {}
    // The totals at meter time `meter_us` (the totals so far when it is before the last
    // instant counted).
    EnergySums at(const LoadModel& load, TimestampUs meter_us, const std::vector<Outage>& outages);
    // The meter clock stepped from `old_meter_us` to `new_meter_us`.
    void clock_stepped(const LoadModel& load, TimestampUs old_meter_us, TimestampUs new_meter_us,
                       const std::vector<Outage>& outages);

private:
    EnergySums total_;        // up to counted_to_
    TimestampUs counted_to_;  // meter time
};

}  // namespace gridgate::sim::dlms_server
