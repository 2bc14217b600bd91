// Schedule windows: daily [start, end) in UTC minutes, wrapping past midnight when end < start.
#include "sftp_schedule.hpp"

#include <algorithm>
#include <string>

namespace gridgate::northbound {

namespace {

constexpr std::int64_t minute_us = 60'000'000;
constexpr int minutes_per_day = 1440;

// Floor division: the start of the minute `ts` is in, also for negative timestamps.
std::int64_t minute_start(TimestampUs ts) {
    std::int64_t minutes = ts / minute_us;
    if (ts % minute_us < 0) --minutes;
    return minutes * minute_us;
}

}  // namespace

bool TimeWindow::contains(int minute_of_day) const {
    if (start_minute <= end_minute) return minute_of_day >= start_minute && minute_of_day < end_minute;
    return minute_of_day >= start_minute || minute_of_day < end_minute;  // wraps past midnight
}

int minute_of_day_utc(TimestampUs ts) {
    const std::int64_t minutes = minute_start(ts) / minute_us;
    const std::int64_t in_day = minutes % minutes_per_day;
    return static_cast<int>(in_day < 0 ? in_day + minutes_per_day : in_day);
}

bool in_any_window(const std::vector<TimeWindow>& windows, TimestampUs ts) {
    if (windows.empty()) return true;
    const int minute = minute_of_day_utc(ts);
    return std::any_of(windows.begin(), windows.end(), [minute](const TimeWindow& w) { return w.contains(minute); });
}

Duration until_window_opens(const std::vector<TimeWindow>& windows, TimestampUs ts) {
    if (in_any_window(windows, ts)) return Duration::zero();
    const int minute = minute_of_day_utc(ts);
    const std::int64_t into_minute = ts - minute_start(ts);
    std::int64_t best = std::int64_t{minutes_per_day} * minute_us;
    for (const TimeWindow& w : windows) {
        if (w.start_minute == w.end_minute) continue;
        // Not inside any window, so the start is strictly ahead (1..1439 minutes).
        const int ahead = ((w.start_minute - minute) % minutes_per_day + minutes_per_day) % minutes_per_day;
        if (ahead == 0) continue;
        best = std::min(best, ahead * minute_us - into_minute);
    }
    return Duration{best};
}

std::string window_problem(const TimeWindow& window) {
    if (window.start_minute < 0 || window.start_minute >= minutes_per_day)
        return "window start " + std::to_string(window.start_minute) + " is not a minute of the day (0..1439)";
    if (window.end_minute < 1 || window.end_minute > minutes_per_day)
        return "window end " + std::to_string(window.end_minute) + " is not in 1..1440";
    if (window.start_minute == window.end_minute)
        return "window " + std::to_string(window.start_minute) + "-" + std::to_string(window.end_minute) +
               " is empty";
    return {};
}

}  // namespace gridgate::northbound
