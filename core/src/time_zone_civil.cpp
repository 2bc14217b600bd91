// Calendar arithmetic for time zones: proleptic Gregorian dates as days since 1970-01-01.
// Written for int64 years so far-future rule evaluation cannot overflow.
#include <array>
#include <cstdio>

#include "gridgate/core/time_zone.hpp"
#include "time_zone_detail.hpp"

namespace gridgate {
namespace tz_detail {
namespace {

// Leap days in the years [1, year) counted from year 1 (negative for years before 1).
std::int64_t leap_days_before(std::int64_t year) {
    const std::int64_t y = year - 1;
    return floor_div(y, 4) - floor_div(y, 100) + floor_div(y, 400);
}

// Days before the first of each month in a common year.
constexpr std::array<int, 12> days_before_month{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

std::int64_t days_from_year_start(std::int64_t year) {
    return 365 * (year - 1970) + leap_days_before(year) - leap_days_before(1970);
}

}  // namespace

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

bool is_leap_year(std::int64_t year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(std::int64_t year, int month) {
    static constexpr std::array<int, 12> lengths{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : lengths[static_cast<std::size_t>(month - 1)];
}

std::int64_t days_from_civil(std::int64_t year, int month, int day) {
    // Months out of 1..12 roll into neighbouring years so callers may add to fields freely.
    const std::int64_t month0 = month - 1;
    year += floor_div(month0, 12);
    const auto m = static_cast<std::size_t>(month0 - floor_div(month0, 12) * 12);
    std::int64_t days = days_from_year_start(year) + days_before_month[m] + (day - 1);
    if (m >= 2 && is_leap_year(year)) ++days;
    return days;
}

CivilDate civil_from_days(std::int64_t days) {
    // Estimate the year from the mean Gregorian year, then correct the estimate.
    std::int64_t year = 1970 + floor_div(days * 400, 146'097);
    while (days_from_year_start(year) > days) --year;
    while (days_from_year_start(year + 1) <= days) ++year;
    int day_of_year = static_cast<int>(days - days_from_year_start(year));
    int month = 1;
    while (day_of_year >= days_in_month(year, month)) {
        day_of_year -= days_in_month(year, month);
        ++month;
    }
    return {year, month, day_of_year + 1};
}

int weekday_from_days(std::int64_t days) {
    // 1970-01-01 was a Thursday.
    return static_cast<int>(days + 4 - floor_div(days + 4, 7) * 7);
}

}  // namespace tz_detail

LocalTime LocalTime::from_civil(int year, int month, int day, int hour, int minute, int second, std::int32_t micros) {
    const std::int64_t days = tz_detail::days_from_civil(year, month, day);
    std::int64_t secs = days * tz_detail::seconds_per_day + std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 + second;
    secs += tz_detail::floor_div(micros, 1'000'000);
    const auto us = static_cast<std::int32_t>(micros - tz_detail::floor_div(micros, 1'000'000) * 1'000'000);
    return {secs, us};
}

std::string format_local_time(LocalTime t) {
    const std::int64_t days = tz_detail::floor_div(t.seconds, tz_detail::seconds_per_day);
    const std::int64_t in_day = t.seconds - days * tz_detail::seconds_per_day;
    const tz_detail::CivilDate date = tz_detail::civil_from_days(days);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02lld:%02lld:%02lld.%06d", static_cast<long long>(date.year),
                  date.month, date.day, static_cast<long long>(in_day / 3600), static_cast<long long>(in_day / 60 % 60),
                  static_cast<long long>(in_day % 60), static_cast<int>(t.micros));
    return buf;
}

std::string_view to_string(LocalKind kind) {
    switch (kind) {
        case LocalKind::unique: return "unique";
        case LocalKind::ambiguous: return "ambiguous";
        case LocalKind::missing: return "missing";
    }
    return "?";
}

}  // namespace gridgate
