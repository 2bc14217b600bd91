#pragma once
// A meter's load: per-phase voltage, current and power factor varying smoothly with
// model time, plus a little deterministic noise. Everything else (W, var, VA, totals)
// is derived from those three so the published values are consistent with each other.
//
// Time is quantised into one-second ticks: the load is constant within a tick, so the
// energy counters integrate it exactly and tests can recompute them from at().
#include <array>
#include <cstdint>

namespace gridgate::sim {

struct PhaseValues {
    double volts = 0;  // V, secondary
    double amps = 0;   // A, secondary
    double pf = 0;     // signed: negative when power flows to the grid (received)
    double watts = 0;  // V * I * PF
    double vars = 0;   // V * I * sin(acos PF)
    double va = 0;     // V * I
};

struct Instant {
    std::array<PhaseValues, 3> phase{};
    double watts_total = 0;
    double vars_total = 0;
    double va_total = 0;  // arithmetic sum of the phases' VA
    double pf_total = 0;  // watts_total / va_total
    double frequency = 0;
};

// Per-meter constants of the load, drawn from a seed.
struct LoadParams {
    std::uint64_t seed = 0;  // also seeds the noise
    std::array<double, 3> nominal_volts{120.0, 120.0, 120.0};
    std::array<double, 3> nominal_amps{2.5, 2.5, 2.5};
    std::array<double, 3> nominal_pf{0.92, 0.92, 0.92};
    double nominal_frequency = 60.0;
    bool exporting = false;  // power flows to the grid: W < 0, counted as received
    std::array<double, 8> phase_offsets{};  // radians, de-synchronises meters

    static LoadParams from_seed(std::uint64_t seed);
};

class LoadModel {
public:
    explicit LoadModel(const LoadParams& params) : params_(params) {}

    // The load during tick `second` (model seconds since the meter started).
    Instant at(std::int64_t second) const;

    const LoadParams& params() const { return params_; }

private:
    double noise(std::int64_t second, unsigned channel) const;

    LoadParams params_;
};

// A 64-bit mixing function (splitmix64 finaliser) for deriving per-meter seeds and
// reproducible noise without global random state.
std::uint64_t mix_seed(std::uint64_t x);

}  // namespace gridgate::sim
