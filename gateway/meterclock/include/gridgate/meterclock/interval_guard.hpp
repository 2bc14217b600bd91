#pragma once
// Interval boundaries of a meter's demand / load-profile intervals and the guard window
// around each, in which its clock is not set (a step there would move readings into the
// neighbouring interval, or split or merge one).
//
// Meters align intervals to their LOCAL clock (a 15-minute interval ends at hh:00, :15,
// :30, :45 local time). `utc_offset` is the meter's local time minus UTC at that instant
// (+1h for CET, -4h for EDT). In whole-hour zones it does not matter for intervals that
// divide an hour; in half-hour zones (India +5:30) it matters for 60-minute intervals, and
// in 45-minute zones (Nepal +5:45, Chatham +12:45) for any interval over 15 minutes, so
// the caller passes it.
#include <optional>

#include "gridgate/core/time.hpp"

namespace gridgate::meterclock {

struct GuardWindow {
    TimestampUs boundary = 0;  // the interval end the window is around (UTC µs)
    TimestampUs start = 0;     // boundary - guard (inside)
    TimestampUs end = 0;       // boundary + guard (outside: the first instant a set is allowed again)
};

// The last interval boundary at or before `at` (UTC µs). `interval` must be positive.
TimestampUs boundary_at_or_before(TimestampUs at, Duration interval, Duration utc_offset = Duration::zero());

// The guard window [boundary - guard, boundary + guard) that contains `at`, if any.
// guard 0 = no window. The guard is expected below interval / 2 (the loader checks it);
// if not, the window around the nearer boundary is returned.
std::optional<GuardWindow> guard_window_at(TimestampUs at, Duration interval, Duration guard,
                                           Duration utc_offset = Duration::zero());

}  // namespace gridgate::meterclock
