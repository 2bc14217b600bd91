#pragma once
// COSEM date-time (IEC 62056-6-2, Blue Book 4.1.6.1): 12 octets
//   year (2, 0xFFFF = not specified), month, day of month, day of week (1 = Monday),
//   hour, minute, second, hundredths (0xFF = not specified each),
//   deviation (int16, minutes, 0x8000 = not specified), clock status (0xFF = not specified).
// month 0xFD / 0xFE: end / begin of DST; day 0xFD / 0xFE: second last / last day of month.
//
// The fields are the meter's LOCAL time. The deviation is "local time to UTC" in minutes
// with the Blue Book's sign: UTC = local + deviation, so a meter on CET in winter sends
// -60 and in summer (CEST) -120. Some meters use the opposite (ISO 8601) sign and some
// leave the deviation unspecified and send local time; TimeInterpretation says which.
// The DST status bit (0x80) tells the two 02:00..02:59 hours of a fall-back day apart when
// the deviation is unspecified.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "gridgate/core/time.hpp"
#include "gridgate/core/time_zone.hpp"
#include "gridgate/dlms/axdr.hpp"

namespace gridgate::dlms {

namespace clock_status {
inline constexpr std::uint8_t invalid_value = 0x01;
inline constexpr std::uint8_t doubtful_value = 0x02;
inline constexpr std::uint8_t different_clock_base = 0x04;
inline constexpr std::uint8_t invalid_clock_status = 0x08;
inline constexpr std::uint8_t daylight_saving_active = 0x80;
inline constexpr std::uint8_t not_specified = 0xFF;
}  // namespace clock_status

struct CosemDateTime {
    static constexpr std::int16_t deviation_not_specified = INT16_MIN;  // 0x8000

    std::uint16_t year = 0xFFFF;
    std::uint8_t month = 0xFF;
    std::uint8_t day = 0xFF;
    std::uint8_t day_of_week = 0xFF;
    std::uint8_t hour = 0xFF;
    std::uint8_t minute = 0xFF;
    std::uint8_t second = 0xFF;
    std::uint8_t hundredths = 0xFF;
    std::int16_t deviation = deviation_not_specified;
    std::uint8_t status = clock_status::not_specified;

    bool has_deviation() const { return deviation != deviation_not_specified; }
    bool has_status() const { return status != clock_status::not_specified; }
    bool dst() const { return has_status() && (status & clock_status::daylight_saving_active) != 0; }
    // Year, month (1..12), day (1..31), hour, minute and second all specified and in range.
    bool complete() const;
    friend bool operator==(const CosemDateTime&, const CosemDateTime&) = default;
};

std::array<std::uint8_t, 12> encode_date_time(const CosemDateTime& t);
// Exactly 12 octets; nullopt otherwise. Values are kept as sent (range checks are complete()'s).
std::optional<CosemDateTime> decode_date_time(std::span<const std::uint8_t> octets);
// The date-time a Data carries: tag date_time, or a 12-octet octet-string (how many
// meters, the reference meter's logs among them, send timestamps); nullopt otherwise.
std::optional<CosemDateTime> date_time_of(const Data& d);

// Daylight-saving rules a meter may follow (for meters that leave the deviation out, and
// for the simulator's clock). eu: from the last Sunday of March 01:00 UTC to the last
// Sunday of October 01:00 UTC. us: from the second Sunday of March 02:00 local standard
// time to the first Sunday of November 02:00 local daylight time.
enum class DstRule : std::uint8_t { none, eu, us };
const char* to_string(DstRule r);
std::optional<DstRule> parse_dst_rule(std::string_view text);  // "none", "eu", "us"

struct LocalZone {
    std::int16_t utc_offset_min = 0;  // ISO sign: local standard time = UTC + offset (CET: +60)
    DstRule dst = DstRule::none;
    std::int16_t dst_shift_min = 60;
    bool dst_active_at(TimestampUs utc_us) const;
    std::int16_t offset_at(TimestampUs utc_us) const;  // ISO sign, DST included
};

enum class DeviationSign : std::uint8_t {
    blue_book,  // UTC = local + deviation (IEC 62056-6-2 up to Blue Book edition 12)
    iso,        // UTC = local - deviation
};

struct TimeInterpretation {
    DeviationSign sign = DeviationSign::blue_book;
    // Used when a timestamp has no deviation: its fields are local time in this zone (the
    // DST status bit, when specified, picks the hour of a fall-back day). No zone: UTC.
    std::optional<LocalZone> zone;
    bool ignore_deviation = false;  // always use the zone (meters whose deviation is wrong)
    // A tz database zone (clock.time_zone: America/New_York...): when set it replaces
    // `zone` for date-times read in local time (no deviation, or ignore_deviation). The
    // clock status DST bit, when specified, is the hint for the repeated fall-back hour;
    // the rest follows TimeZone::to_utc's policy (time_zone.hpp).
    std::optional<TimeZone> time_zone;
};

// Whether `t` is read as local time in the configured zone (no deviation, or the
// deviation ignored) rather than with its own deviation.
bool reads_as_local(const CosemDateTime& t, const TimeInterpretation& how);
// The wall-clock fields of a complete date-time (hundredths 0xFF taken as 0).
LocalTime local_time_of(const CosemDateTime& t);
// The clock status DST bit as a hint: nullopt when the status is not specified.
std::optional<bool> dst_hint_of(const CosemDateTime& t);
// How finely the meter's clock reports time: 10 ms with hundredths, 1 s without.
Duration resolution_of(const CosemDateTime& t);

// UTC µs of a complete date-time (hundredths taken as 0 when not specified); nullopt when
// not complete(), hundredths over 99 (and not 0xFF) or a deviation beyond ±840 minutes.
// With the zone: the first (DST) occurrence of a repeated fall-back hour unless the status
// bit says standard time; a time in the skipped spring-forward hour is read with the
// offset the status bit names (DST or standard; standard when no status).
std::optional<TimestampUs> to_utc_us(const CosemDateTime& t, const TimeInterpretation& how = {});

// The date-time a meter in `zone` shows at `utc_us`: local fields, day of week, the
// deviation in the Blue Book sign (or ISO with `sign`), the DST status bit (status 0x80 or
// 0x00), hundredths from the µs.
CosemDateTime from_utc_us(TimestampUs utc_us, const LocalZone& zone,
                          DeviationSign sign = DeviationSign::blue_book);
// The same in a tz database zone: local fields, the deviation of the offset in force
// (DST included), the DST status bit from the zone.
CosemDateTime from_utc_us(TimestampUs utc_us, const TimeZone& zone, DeviationSign sign = DeviationSign::blue_book);

// "2026-10-25 02:30:00.00 dev=-120 st=80" ("*" for fields not specified, but hundredths
// not specified are left out: "2026-03-29 02:00:00 dev=* st=*"). Month 0xFD / 0xFE print
// as dst-end / dst-begin, day 0xFD / 0xFE as last-1 / last; other values as sent.
std::string to_string(const CosemDateTime& t);
// The date part ("2026-10-25") and the time part ("02:30:00.00") of to_string, for the
// date and time Data types (describe in axdr.hpp).
std::string date_part_string(const CosemDateTime& t);
std::string time_part_string(const CosemDateTime& t);

}  // namespace gridgate::dlms
