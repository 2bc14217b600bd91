#include "gridgate/gateway/poll_schedule.hpp"

#include <algorithm>

namespace gridgate::gateway {

namespace {
// Floor division that is correct for negative numerators (timestamps before 1970).
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
}  // namespace

PollSchedule::PollSchedule(Duration interval, Duration offset)
    : interval_(std::max(interval, Duration{1})), offset_(offset % std::max(interval, Duration{1})) {}

TimestampUs PollSchedule::next_slot_after(TimestampUs t) const {
    const std::int64_t period = interval_.count();
    const std::int64_t shifted = t - offset_.count();
    return (floor_div(shifted, period) + 1) * period + offset_.count();
}

Duration PollSchedule::time_until_due(TimestampUs now) {
    if (target_ == 0) {
        target_ = next_slot_after(now);
    } else if (target_ - now > interval_.count()) {
        // The wall clock went backwards past a whole period: realign to the new time
        // rather than wait out the step.
        target_ = next_slot_after(now);
        ++realignments_;
    }
    return Duration{std::max<std::int64_t>(0, target_ - now)};
}

std::uint64_t PollSchedule::poll_finished(TimestampUs now, Duration took) {
    // Overruns are measured on the steady clock, so a wall-clock step is not taken
    // for a slow poll; slots skipped by a forward step just lead to one poll.
    const std::uint64_t overrun = took >= interval_ ? static_cast<std::uint64_t>(took / interval_) : 0;
    overruns_ += overrun;
    const TimestampUs next = next_slot_after(std::max(now, target_));
    if (now > target_ + interval_.count() && overrun == 0) ++realignments_;
    target_ = next;
    return overrun;
}

Duration jitter_offset(std::string_view meter_id, Duration jitter) {
    if (jitter <= Duration::zero()) return Duration::zero();
    // FNV-1a: stable across runs and platforms, unlike std::hash.
    std::uint64_t h = 1469598103934665603ULL;
    for (char c : meter_id) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return Duration{static_cast<Duration::rep>(h % static_cast<std::uint64_t>(jitter.count()))};
}

}  // namespace gridgate::gateway
