#pragma once
// Steps of the gateway's wall clock (chrony's makestep at boot, an operator's `date -s`,
// an RTC read after a power cut): how far the wall clock moved between two samples is
// compared with how far the monotonic clock moved. A slewing clock (chrony's normal
// correction, at most 0.5 ms per second) never comes near the threshold; a step does.
//
// Readings are ordered by the store's seq, never by wall time, so a step loses nothing.
// What it can do is give readings taken across it a timestamp from either side: a poll
// that started before a step and ended after it is flagged quality::clock_step (its task
// compares the two clocks over the poll with wall_step_between()). The watch itself
// samples once a second for the log, the audit event and the status.
#include <atomic>
#include <cstdint>
#include <optional>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/time.hpp"

namespace gridgate::gateway {

struct ClockStep {
    Duration step{};              // wall-clock jump beyond what the monotonic clock saw (+ = forwards)
    TimestampUs wall_before = 0;  // the previous sample, old timeline
    TimestampUs wall_after = 0;   // this sample, new timeline
};

inline constexpr Duration default_step_threshold = std::chrono::milliseconds(500);

// How far the wall clock moved beyond the monotonic clock between two (wall, steady)
// samples, when that is more than `threshold`: a step; nullopt otherwise.
std::optional<Duration> wall_step_between(TimestampUs wall0, SteadyTime steady0, TimestampUs wall1,
                                          SteadyTime steady1, Duration threshold = default_step_threshold);

class ClockWatch {
public:
    static constexpr Duration default_threshold = default_step_threshold;

    explicit ClockWatch(const Clock& clock, Duration threshold = default_threshold);

    // Takes a sample (about once a second); a step since the previous one, if any.
    std::optional<ClockStep> sample();
    // Number of steps seen so far; cheap to read from any thread.
    std::uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }
    const std::atomic<std::uint64_t>& epoch_counter() const { return epoch_; }
    std::optional<ClockStep> last_step() const;

private:
    const Clock& clock_;
    Duration threshold_;
    TimestampUs last_wall_;
    SteadyTime last_steady_;
    std::atomic<std::uint64_t> epoch_{0};
    std::optional<ClockStep> last_step_;
};

}  // namespace gridgate::gateway
