#include "gridgate/sim/load_model.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gridgate::sim {

namespace {

constexpr double two_pi = 2.0 * std::numbers::pi;

// Uniform in [0, 1) from a 64-bit value.
double unit_interval(std::uint64_t x) { return static_cast<double>(x >> 11) * 0x1.0p-53; }

double wave(std::int64_t second, double period_s, double offset) {
    return std::sin(two_pi * static_cast<double>(second) / period_s + offset);
}

}  // namespace

std::uint64_t mix_seed(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

LoadParams LoadParams::from_seed(std::uint64_t seed) {
    LoadParams p;
    p.seed = seed;
    std::uint64_t state = seed;
    auto draw = [&state](double lo, double hi) {
        state = mix_seed(state);
        return lo + (hi - lo) * unit_interval(state);
    };
    const double service_volts = draw(118.0, 122.0);
    for (std::size_t i = 0; i < 3; ++i) {
        p.nominal_volts[i] = service_volts * draw(0.995, 1.005);
        p.nominal_amps[i] = draw(1.0, 4.5);
        p.nominal_pf[i] = draw(0.82, 0.97);
    }
    p.nominal_frequency = 60.0;
    p.exporting = false;
    for (double& offset : p.phase_offsets) offset = draw(0.0, two_pi);
    return p;
}

double LoadModel::noise(std::int64_t second, unsigned channel) const {
    const std::uint64_t h =
        mix_seed(params_.seed ^ mix_seed(static_cast<std::uint64_t>(second) * 16 + channel));
    return 2.0 * unit_interval(h) - 1.0;
}

Instant LoadModel::at(std::int64_t second) const {
    const auto& p = params_;
    const auto& off = p.phase_offsets;
    Instant out;
    // Slow swings (a 15-minute voltage wave, an hourly load cycle with a faster ripple,
    // a 20-minute power-factor drift) plus small noise, so that successive polls differ.
    const double load_cycle = 1.0 + 0.30 * wave(second, 3600.0, off[0]);
    for (std::size_t i = 0; i < 3; ++i) {
        PhaseValues& ph = out.phase[i];
        const unsigned ch = static_cast<unsigned>(i) * 3;
        ph.volts = p.nominal_volts[i] * (1.0 + 0.01 * wave(second, 900.0, off[1] + static_cast<double>(i))) *
                   (1.0 + 0.001 * noise(second, ch));
        ph.amps = p.nominal_amps[i] * (load_cycle + 0.10 * wave(second, 317.0, off[2 + i])) *
                  (1.0 + 0.01 * noise(second, ch + 1));
        const double pf_magnitude =
            std::clamp(p.nominal_pf[i] + 0.03 * wave(second, 1200.0, off[5 + i]) + 0.002 * noise(second, ch + 2),
                       0.5, 1.0);
        ph.pf = p.exporting ? -pf_magnitude : pf_magnitude;
        ph.va = ph.volts * ph.amps;
        ph.watts = ph.va * ph.pf;
        ph.vars = ph.va * std::sin(std::acos(ph.pf));
        out.watts_total += ph.watts;
        out.vars_total += ph.vars;
        out.va_total += ph.va;
    }
    out.pf_total = out.va_total > 0.0 ? out.watts_total / out.va_total : 1.0;
    out.frequency = p.nominal_frequency + 0.02 * wave(second, 60.0, off[0] + 1.0) + 0.002 * noise(second, 9);
    return out;
}

}  // namespace gridgate::sim
