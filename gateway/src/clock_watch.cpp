#include "clock_watch.hpp"

namespace gridgate::gateway {

std::optional<Duration> wall_step_between(TimestampUs wall0, SteadyTime steady0, TimestampUs wall1,
                                          SteadyTime steady1, Duration threshold) {
    const auto elapsed = std::chrono::duration_cast<Duration>(steady1 - steady0);
    const Duration step{wall1 - wall0 - elapsed.count()};
    if (step > threshold || step < -threshold) return step;
    return std::nullopt;
}

ClockWatch::ClockWatch(const Clock& clock, Duration threshold)
    : clock_(clock), threshold_(threshold), last_wall_(clock.now_utc_us()), last_steady_(clock.steady_now()) {}

std::optional<ClockStep> ClockWatch::sample() {
    const TimestampUs wall = clock_.now_utc_us();
    const SteadyTime steady = clock_.steady_now();
    std::optional<ClockStep> found;
    if (const auto step = wall_step_between(last_wall_, last_steady_, wall, steady, threshold_)) {
        found = ClockStep{*step, last_wall_, wall};
        last_step_ = found;
        epoch_.fetch_add(1, std::memory_order_acq_rel);
    }
    last_wall_ = wall;
    last_steady_ = steady;
    return found;
}

std::optional<ClockStep> ClockWatch::last_step() const { return last_step_; }

}  // namespace gridgate::gateway
