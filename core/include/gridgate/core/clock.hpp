#pragma once
// Clock interface: state machines and schedulers take one of these, never read the
// host clock themselves, so tests can step time deterministically.
#include <atomic>

#include "gridgate/core/time.hpp"

namespace gridgate {

class Clock {
public:
    virtual ~Clock() = default;
    virtual TimestampUs now_utc_us() const = 0;  // wall clock (can step)
    virtual SteadyTime steady_now() const = 0;   // monotonic
};

class SystemClock final : public Clock {
public:
    TimestampUs now_utc_us() const override;
    SteadyTime steady_now() const override;
};

// Manually driven clock for tests. Wall and steady time advance together unless a
// wall-clock step is injected with step_wall().
class FakeClock final : public Clock {
public:
    explicit FakeClock(TimestampUs wall_start = 1'700'000'000'000'000) : wall_(wall_start) {}
    TimestampUs now_utc_us() const override { return wall_.load(); }
    SteadyTime steady_now() const override { return SteadyTime{} + Duration{steady_.load()}; }
    void advance(Duration d) {
        wall_ += d.count();
        steady_ += d.count();
    }
    void step_wall(Duration d) { wall_ += d.count(); }
    void set_wall(TimestampUs ts) { wall_ = ts; }

private:
    std::atomic<TimestampUs> wall_;
    std::atomic<std::int64_t> steady_{1'000'000};
};

}  // namespace gridgate
