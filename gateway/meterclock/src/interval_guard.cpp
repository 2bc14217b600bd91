#include "gridgate/meterclock/interval_guard.hpp"

namespace gridgate::meterclock {

namespace {

// Floor division for the times before 1970 that a badly set meter may report.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

TimestampUs boundary_at_or_before(TimestampUs at, Duration interval, Duration utc_offset) {
    const std::int64_t step = interval.count();
    const std::int64_t local = at + utc_offset.count();
    return floor_div(local, step) * step - utc_offset.count();
}

std::optional<GuardWindow> guard_window_at(TimestampUs at, Duration interval, Duration guard, Duration utc_offset) {
    if (guard <= Duration::zero() || interval <= Duration::zero()) return std::nullopt;
    const TimestampUs previous = boundary_at_or_before(at, interval, utc_offset);
    const TimestampUs next = previous + interval.count();
    const std::int64_t g = guard.count();
    // Just after a boundary: still inside its window until boundary + guard.
    const bool after_previous = at < previous + g;
    // Just before the next one: from next - guard.
    const bool before_next = at >= next - g;
    if (!after_previous && !before_next) return std::nullopt;
    TimestampUs boundary = previous;
    if (before_next && (!after_previous || next - at < at - previous)) boundary = next;
    return GuardWindow{boundary, boundary - g, boundary + g};
}

}  // namespace gridgate::meterclock
