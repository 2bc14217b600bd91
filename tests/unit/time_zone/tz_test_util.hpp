#pragma once
// Small conversions shared by the time-zone tests.
#include "gridgate/core/time_zone.hpp"

namespace gridgate::tz_test {

// A UTC instant from calendar fields (the calendar arithmetic is checked separately
// against fixed epoch values in test_calendar.cpp).
inline TimestampUs utc_us(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
    return LocalTime::from_civil(y, mo, d, h, mi, s).seconds * 1'000'000;
}

inline LocalTime local(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
    return LocalTime::from_civil(y, mo, d, h, mi, s);
}

constexpr std::int32_t hours(int h) { return h * 3600; }

}  // namespace gridgate::tz_test
