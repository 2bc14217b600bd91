#include "gridgate/northbound/drain_rate.hpp"

#include <cmath>

namespace gridgate::northbound {

namespace {

double tau_s() { return std::chrono::duration<double>(DrainRate::time_constant).count(); }

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

void DrainRate::reset(SteadyTime start) {
    start_ = start;
    last_ = start;
    readings_ = 0;
    bytes_ = 0;
}

void DrainRate::decay_to(SteadyTime now) {
    if (now <= last_) return;
    const double factor = std::exp(-seconds(now - last_) / tau_s());
    readings_ *= factor;
    bytes_ *= factor;
    last_ = now;
}

void DrainRate::record(double readings, double bytes, SteadyTime now) {
    decay_to(now);
    readings_ += readings;
    bytes_ += bytes;
}

double DrainRate::rate(double weighted_sum, SteadyTime now) const {
    const double age = now > last_ ? seconds(now - last_) : 0.0;
    const double sum = weighted_sum * std::exp(-age / tau_s());
    // The integral of the weights over the span observed since reset: tau for a long
    // span, less at the start (an unbiased average while the meter is young).
    const double observed = now > start_ ? seconds(now - start_) : 0.0;
    const double weight = tau_s() * (1.0 - std::exp(-observed / tau_s()));
    // Less than a millisecond of history says nothing about a rate.
    if (weight < 1e-3) return 0.0;
    return sum / weight;
}

}  // namespace gridgate::northbound
