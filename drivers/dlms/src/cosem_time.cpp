// COSEM date-time (IEC 62056-6-2, Blue Book 4.1.6.1): the 12-octet codec, the meter's
// local time to UTC and back under the deviation sign conventions and DST rules meters
// follow, and the trace text.
#include "gridgate/dlms/cosem_time.hpp"

#include <cstdio>

namespace gridgate::dlms {

namespace {

constexpr std::int64_t us_per_second = 1'000'000;
constexpr std::int64_t us_per_minute = 60 * us_per_second;
constexpr std::int64_t us_per_hour = 60 * us_per_minute;
constexpr std::int64_t us_per_day = 24 * us_per_hour;

// Beyond every real zone (UTC-12 .. UTC+14); a larger deviation is garbage, not a zone.
constexpr int max_deviation_min = 840;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(std::int64_t y, int m) {
    static constexpr int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. The year is counted
// from March so that the leap day falls at the end; a 400-year era has 146097 days.
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = floor_div(y, 400);
    const std::int64_t year_of_era = y - era * 400;                           // 0..399
    const std::int64_t month_from_march = m > 2 ? m - 3 : m + 9;              // 0..11
    const std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + d - 1;  // 0..365
    const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;  // 719468: 0000-03-01 to 1970-01-01
}

struct Civil {
    std::int64_t year;
    int month;
    int day;
};

// The inverse of days_from_civil.
Civil civil_from_days(std::int64_t days) {
    days += 719468;
    const std::int64_t era = floor_div(days, 146097);
    const std::int64_t day_of_era = days - era * 146097;  // 0..146096
    const std::int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;  // 0..399
    const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const std::int64_t month_from_march = (5 * day_of_year + 2) / 153;
    const int day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    const int month = static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    return Civil{year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// 1 = Monday .. 7 = Sunday; 1970-01-01 was a Thursday.
int iso_weekday(std::int64_t days) { return static_cast<int>((days % 7 + 7 + 3) % 7) + 1; }

std::int64_t last_sunday(std::int64_t y, int m) {
    const std::int64_t last = days_from_civil(y, m, days_in_month(y, m));
    return last - iso_weekday(last) % 7;
}

std::int64_t nth_sunday(std::int64_t y, int m, int n) {
    const std::int64_t first = days_from_civil(y, m, 1);
    return first + (7 - iso_weekday(first)) % 7 + 7 * (n - 1);
}

std::string two_digits(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02u", v);
    return buf;
}

std::string field(std::uint8_t v) { return v == 0xFF ? "*" : two_digits(v); }

}  // namespace

bool CosemDateTime::complete() const {
    if (year == 0xFFFF || month < 1 || month > 12) return false;
    if (day < 1 || day > days_in_month(year, month)) return false;
    return hour < 24 && minute < 60 && second < 60;
}

std::array<std::uint8_t, 12> encode_date_time(const CosemDateTime& t) {
    const auto dev = static_cast<std::uint16_t>(t.deviation);
    return {static_cast<std::uint8_t>(t.year >> 8),
            static_cast<std::uint8_t>(t.year & 0xFF),
            t.month,
            t.day,
            t.day_of_week,
            t.hour,
            t.minute,
            t.second,
            t.hundredths,
            static_cast<std::uint8_t>(dev >> 8),
            static_cast<std::uint8_t>(dev & 0xFF),
            t.status};
}

std::optional<CosemDateTime> decode_date_time(std::span<const std::uint8_t> o) {
    if (o.size() != 12) return std::nullopt;
    CosemDateTime t;
    t.year = static_cast<std::uint16_t>((o[0] << 8) | o[1]);
    t.month = o[2];
    t.day = o[3];
    t.day_of_week = o[4];
    t.hour = o[5];
    t.minute = o[6];
    t.second = o[7];
    t.hundredths = o[8];
    t.deviation = static_cast<std::int16_t>(static_cast<std::uint16_t>((o[9] << 8) | o[10]));
    t.status = o[11];
    return t;
}

std::optional<CosemDateTime> date_time_of(const Data& d) {
    if (d.tag != DataTag::date_time && d.tag != DataTag::octet_string) return std::nullopt;
    return decode_date_time(d.bytes);
}

const char* to_string(DstRule r) {
    switch (r) {
        case DstRule::none: return "none";
        case DstRule::eu: return "eu";
        case DstRule::us: return "us";
    }
    return "unknown";
}

std::optional<DstRule> parse_dst_rule(std::string_view text) {
    if (text == "none") return DstRule::none;
    if (text == "eu") return DstRule::eu;
    if (text == "us") return DstRule::us;
    return std::nullopt;
}

bool LocalZone::dst_active_at(TimestampUs utc_us) const {
    if (dst == DstRule::none) return false;
    const std::int64_t year = civil_from_days(floor_div(utc_us, us_per_day)).year;
    // Far beyond any clock a meter has (and the µs of its transitions would overflow).
    if (year < -100'000 || year > 100'000) return false;
    std::int64_t begin = 0;
    std::int64_t end = 0;
    if (dst == DstRule::eu) {
        // The whole EU switches at the same instant, 01:00 UTC, whatever the zone.
        begin = last_sunday(year, 3) * us_per_day + us_per_hour;
        end = last_sunday(year, 10) * us_per_day + us_per_hour;
    } else {
        // The US switches at 02:00 local: standard time in March, daylight time in November.
        begin = nth_sunday(year, 3, 2) * us_per_day + 2 * us_per_hour - utc_offset_min * us_per_minute;
        end = nth_sunday(year, 11, 1) * us_per_day + 2 * us_per_hour -
              (utc_offset_min + dst_shift_min) * us_per_minute;
    }
    return utc_us >= begin && utc_us < end;
}

std::int16_t LocalZone::offset_at(TimestampUs utc_us) const {
    return static_cast<std::int16_t>(utc_offset_min + (dst_active_at(utc_us) ? dst_shift_min : 0));
}

std::optional<TimestampUs> to_utc_us(const CosemDateTime& t, const TimeInterpretation& how) {
    if (!t.complete()) return std::nullopt;
    if (t.hundredths > 99 && t.hundredths != 0xFF) return std::nullopt;
    const std::int64_t local = days_from_civil(t.year, t.month, t.day) * us_per_day + t.hour * us_per_hour +
                               t.minute * us_per_minute + t.second * us_per_second +
                               (t.hundredths == 0xFF ? 0 : t.hundredths * 10'000);
    if (t.has_deviation() && !how.ignore_deviation) {
        if (t.deviation > max_deviation_min || t.deviation < -max_deviation_min) return std::nullopt;
        const std::int64_t dev = t.deviation * us_per_minute;
        return how.sign == DeviationSign::blue_book ? local + dev : local - dev;
    }
    if (how.time_zone) return how.time_zone->to_utc(local_time_of(t), dst_hint_of(t)).utc_us;
    if (!how.zone) return local;
    const LocalZone& z = *how.zone;
    const std::int64_t standard = local - z.utc_offset_min * us_per_minute;
    if (z.dst == DstRule::none) return standard;
    const std::int64_t daylight = local - (z.utc_offset_min + z.dst_shift_min) * us_per_minute;
    const bool standard_fits = !z.dst_active_at(standard);
    const bool daylight_fits = z.dst_active_at(daylight);
    if (standard_fits && daylight_fits) {
        // The repeated hour of a fall-back day: only the status bit can tell; without it
        // the first pass (still DST) is the one a meter reaches first.
        return t.has_status() && !t.dst() ? standard : daylight;
    }
    if (standard_fits) return standard;
    if (daylight_fits) return daylight;
    return t.dst() ? daylight : standard;  // the skipped hour of a spring-forward day
}

CosemDateTime from_utc_us(TimestampUs utc_us, const LocalZone& zone, DeviationSign sign) {
    const std::int16_t offset = zone.offset_at(utc_us);
    const std::int64_t local = utc_us + offset * us_per_minute;
    const std::int64_t days = floor_div(local, us_per_day);
    const std::int64_t in_day = local - days * us_per_day;
    const Civil c = civil_from_days(days);
    CosemDateTime t;
    t.year = static_cast<std::uint16_t>(c.year);  // outside 0..65534 not representable
    t.month = static_cast<std::uint8_t>(c.month);
    t.day = static_cast<std::uint8_t>(c.day);
    t.day_of_week = static_cast<std::uint8_t>(iso_weekday(days));
    t.hour = static_cast<std::uint8_t>(in_day / us_per_hour);
    t.minute = static_cast<std::uint8_t>(in_day % us_per_hour / us_per_minute);
    t.second = static_cast<std::uint8_t>(in_day % us_per_minute / us_per_second);
    t.hundredths = static_cast<std::uint8_t>(in_day % us_per_second / 10'000);
    t.deviation = static_cast<std::int16_t>(sign == DeviationSign::blue_book ? -offset : offset);
    t.status = zone.dst_active_at(utc_us) ? clock_status::daylight_saving_active : 0x00;
    return t;
}

std::string date_part_string(const CosemDateTime& t) {
    std::string s = t.year == 0xFFFF ? "*" : std::to_string(t.year);
    if (s.size() < 4 && t.year != 0xFFFF) s.insert(0, 4 - s.size(), '0');
    s += '-';
    if (t.month == 0xFD) s += "dst-end";
    else if (t.month == 0xFE) s += "dst-begin";
    else s += field(t.month);
    s += '-';
    if (t.day == 0xFD) s += "last-1";
    else if (t.day == 0xFE) s += "last";
    else s += field(t.day);
    return s;
}

std::string time_part_string(const CosemDateTime& t) {
    std::string s = field(t.hour) + ':' + field(t.minute) + ':' + field(t.second);
    if (t.hundredths != 0xFF) s += '.' + two_digits(t.hundredths);
    return s;
}

std::string to_string(const CosemDateTime& t) {
    std::string s = date_part_string(t) + ' ' + time_part_string(t) + " dev=";
    s += t.has_deviation() ? std::to_string(t.deviation) : "*";
    s += " st=";
    if (t.has_status()) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%02X", t.status);
        s += buf;
    } else {
        s += '*';
    }
    return s;
}

}  // namespace gridgate::dlms
