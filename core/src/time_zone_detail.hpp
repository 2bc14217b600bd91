#pragma once
// Internals of time_zone.hpp shared by its source files (not installed, not public):
// calendar arithmetic, POSIX TZ rules, the TZif reader and the zone data they produce.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gridgate::tz_detail {

inline constexpr std::int64_t seconds_per_day = 86'400;
// Largest UTC offset accepted anywhere. RFC 8536 recommends -89999..93599 s; POSIX rule
// offsets are at most 24:59:59 plus a DST shift. Conversions search ±this around a time.
inline constexpr std::int32_t max_abs_offset_s = 26 * 3600;

// ---- calendar (proleptic Gregorian, days since 1970-01-01) ----
bool is_leap_year(std::int64_t year);
int days_in_month(std::int64_t year, int month);
std::int64_t days_from_civil(std::int64_t year, int month, int day);
struct CivilDate {
    std::int64_t year;
    int month;  // 1..12
    int day;    // 1..31
};
CivilDate civil_from_days(std::int64_t days);
int weekday_from_days(std::int64_t days);  // 0 = Sunday
std::int64_t floor_div(std::int64_t a, std::int64_t b);

// ---- zone data ----
struct LocalType {
    std::int32_t utc_offset_s = 0;
    bool dst = false;
    std::string abbreviation;
};
bool same_offset(const LocalType& a, const LocalType& b);  // offset, dst and abbreviation

// A change of local time type at a UTC instant.
struct Change {
    std::int64_t at_s;
    const LocalType* type;
};

// One date of a POSIX rule: Jn (1..365, 29 Feb never counted), n (0..365, counted) or
// Mm.w.d (weekday d of week w of month m, w = 5 meaning the last), at a local time of day.
struct DateRule {
    enum class Form { julian_no_leap, zero_based, month_week_day };
    Form form = Form::month_week_day;
    int day = 0;      // Jn / n
    int month = 0;    // Mm.w.d
    int week = 0;
    int weekday = 0;
    std::int32_t time_s = 2 * 3600;  // local time of day of the transition, may exceed a day

    // Local seconds (since 1970-01-01 local) of this date in `year`, time included.
    std::int64_t local_seconds_in(std::int64_t year) const;
};

struct PosixRule {
    LocalType standard;
    std::optional<LocalType> daylight;  // no DST when absent
    DateRule start;                     // DST starts (read in standard time)
    DateRule end;                       // DST ends (read in daylight time)

    const LocalType& type_at(std::int64_t utc_s) const;
    // Appends the transitions in (from, to], in time order; at equal instants the end comes
    // first (all-year DST is written "0/0,J365/25"). Callers drop the ones that change
    // nothing.
    void append_changes(std::int64_t from, std::int64_t to, std::vector<Change>& out) const;

private:
    std::vector<Change> changes_in_years(std::int64_t first_year, std::int64_t last_year) const;
};

// Throws TimeZoneError("...: <reason> at offset N") on anything not in the grammar.
PosixRule parse_posix_rule(std::string_view text);

struct ZoneData {
    std::vector<std::int64_t> transitions;  // UTC seconds, strictly increasing
    std::vector<std::uint8_t> transition_types;
    std::vector<LocalType> types;           // types[0] also applies before the first transition
    std::optional<PosixRule> footer;        // applies after the last transition (or always if none)

    const LocalType& type_at(std::int64_t utc_s) const;
    // The changes of type in (from, to], in time order, each a real change of offset,
    // DST flag or abbreviation.
    std::vector<Change> changes_between(std::int64_t from, std::int64_t to) const;
};

// RFC 8536 reader. `origin` names the file in error messages.
ZoneData parse_tzif(std::string_view bytes, std::string_view origin);

}  // namespace gridgate::tz_detail
