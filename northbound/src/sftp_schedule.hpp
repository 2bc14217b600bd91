#pragma once
// The per-sink schedule windows of the SFTP forwarder, on UTC wall time. Pure: the
// forwarder passes the Clock's wall time in, so tests step a FakeClock across a window.
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/northbound/sftp_forwarder.hpp"

namespace gridgate::northbound {

// 0..1439, the minute of the UTC day `ts` falls in (floor, also before 1970).
int minute_of_day_utc(TimestampUs ts);

// Inside at least one window; no windows at all means always.
bool in_any_window(const std::vector<TimeWindow>& windows, TimestampUs ts);

// How long until the next window opens, from `ts`: zero when already inside one. Windows
// that can never contain anything (start == end) are ignored; with only those, a day.
Duration until_window_opens(const std::vector<TimeWindow>& windows, TimestampUs ts);

// Empty when the window is usable, else what is wrong with it (for the constructor's
// std::invalid_argument).
std::string window_problem(const TimeWindow& window);

}  // namespace gridgate::northbound
