#pragma once
// How fast a sink's backlog is being acknowledged, for `gridgatectl backlog` (pure: the
// caller passes the time). An exponentially weighted rate with a 10 s time constant: each
// acknowledgement counts with weight e^(-age / 10 s), so the figure follows the last ten
// seconds or so and decays to zero while nothing is acknowledged. For the first seconds
// after reset() the weights are renormalised over the time elapsed, so a fresh meter shows
// the true average at once instead of ramping up from zero.
#include <chrono>

#include "gridgate/core/time.hpp"

namespace gridgate::northbound {

class DrainRate {
public:
    static constexpr Duration time_constant = std::chrono::seconds(10);

    explicit DrainRate(SteadyTime start = {}) { reset(start); }

    void reset(SteadyTime start);
    // `readings` readings of `bytes` encoded bytes were acknowledged at `now`.
    void record(double readings, double bytes, SteadyTime now);

    double readings_per_s(SteadyTime now) const { return rate(readings_, now); }
    double bytes_per_s(SteadyTime now) const { return rate(bytes_, now); }

private:
    double rate(double weighted_sum, SteadyTime now) const;
    void decay_to(SteadyTime now);

    SteadyTime start_{};
    SteadyTime last_{};
    double readings_ = 0;  // sum of amount * e^(-(last_ - t) / tau) over acknowledgements
    double bytes_ = 0;
};

}  // namespace gridgate::northbound
