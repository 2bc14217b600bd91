#pragma once
// Time zones and DST for meters that keep local time.
//
// The gateway works in UTC. Revenue data of the reference meter (load profile, event log)
// is stamped in the meter's local time, DST included; these types turn such stamps into
// UTC with the meter's configured zone, which is either a tz database zone read from a
// TZif file (RFC 8536, read here: gg_core has no tz library) or a POSIX TZ rule string.
//
// Local times around a DST change are not all unique:
//   - ambiguous: on the fall-back day the hour before the change occurs twice
//     (America/New_York 2026-11-01 01:00..01:59 is first EDT, then EST);
//   - missing:   on the spring-forward day an hour never occurs
//     (America/New_York 2026-03-08 02:00..02:59).
//
// Policy of TimeZone::to_utc (and of LocalSeriesResolver when the order cannot decide):
//   - ambiguous, with a DST hint from the meter (DLMS clock status bit 7 "daylight saving
//     active", the reference meter's Status Word system bit 8 or its load-profile status
//     0x0010): the candidate whose DST flag matches the hint; not guessed.
//   - ambiguous, without a usable hint: the earlier instant, marked guessed.
//   - missing: the local time is read with the UTC offset in force before the transition,
//     i.e. shifted forward by the gap (02:30 on 2026-03-08 in New York becomes 07:30Z,
//     which is 03:30 EDT), marked guessed. A DST hint does not change this.
// "guessed" is what callers turn into a quality flag on the reading.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "gridgate/core/time.hpp"

namespace gridgate {

namespace tz_detail {
struct ZoneData;
}

// Thrown by TimeZone::load / from_tzif / from_posix (setup errors) with the reason in the message.
class TimeZoneError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The offset in force at an instant: local = UTC + utc_offset_s (east of Greenwich > 0).
struct ZoneOffset {
    std::int32_t utc_offset_s = 0;
    bool dst = false;
    std::string abbreviation;  // "EST", "CEST", "+0530"... informational only

    friend bool operator==(const ZoneOffset&, const ZoneOffset&) = default;
};

// A wall-clock time as a meter reports it: seconds since 1970-01-01T00:00 *local*, + µs.
struct LocalTime {
    std::int64_t seconds = 0;
    std::int32_t micros = 0;  // 0..999'999

    // From calendar fields (proleptic Gregorian; month 1..12, day 1..31). Fields out of
    // range roll over (day 32 of January is 1 February), as a date library would.
    static LocalTime from_civil(int year, int month, int day, int hour = 0, int minute = 0, int second = 0,
                                std::int32_t micros = 0);

    friend auto operator<=>(const LocalTime&, const LocalTime&) = default;
};

// "2026-11-01T01:30:00.000000" (no zone designator: it is a local time).
std::string format_local_time(LocalTime t);

enum class LocalKind { unique, ambiguous, missing };
std::string_view to_string(LocalKind kind);

// Every UTC instant a local time can stand for. earlier_us <= later_us always.
//   unique:    earlier_us == later_us.
//   ambiguous: the two instants (first and second pass of the repeated hour).
//   missing:   earlier_us = read with the offset after the gap (falls before the transition),
//              later_us   = read with the offset before the gap (falls after the transition;
//              the one to_utc picks).
struct LocalResolution {
    LocalKind kind = LocalKind::unique;
    TimestampUs earlier_us = 0;
    TimestampUs later_us = 0;
};

// Result of to_utc: the chosen instant, what the local time was, and whether the choice
// was a guess by the policy above (the caller flags the reading).
struct UtcConversion {
    TimestampUs utc_us = 0;
    LocalKind kind = LocalKind::unique;
    bool guessed = false;
};

// A zone: cheap to copy (shares its immutable data), safe to use from several threads.
class TimeZone {
public:
    static TimeZone utc();
    // Reads <tzdir>/<name> (a TZif file, v1..v4). Refuses names that are absolute or contain
    // "." / ".." components, unknown zones, leap-second ("right/") files and malformed
    // files, with a TimeZoneError saying why.
    static TimeZone load(std::string_view name, const std::filesystem::path& tzdir = "/usr/share/zoneinfo");
    // The same from the bytes of a TZif file obtained otherwise (e.g. pushed with the
    // configuration); `name` is what name() returns and what errors mention.
    static TimeZone from_tzif(std::string_view name, std::string_view bytes);
    // A POSIX TZ rule with the RFC 8536 extensions (hours up to ±167 in transition times):
    // "EST5EDT,M3.2.0,M11.1.0", "<+0330>-3:30", "CET-1CEST,M3.5.0,M10.5.0/3", Jn and n
    // day forms. A DST name without transition rules is refused (no implicit US default).
    static TimeZone from_posix(std::string_view rule);

    // The zone name, the rule string for from_posix, "UTC" for utc().
    const std::string& name() const { return name_; }

    ZoneOffset at(TimestampUs utc) const;
    LocalTime to_local(TimestampUs utc) const;
    // std::out_of_range if local.micros is outside 0..999'999 or local.seconds beyond
    // ±9e12 (no meter date gets near: a DLMS year is 16 bits).
    LocalResolution resolve(LocalTime local) const;
    // dst_hint: whether the meter said DST was in force at that time, if it said so.
    UtcConversion to_utc(LocalTime local, std::optional<bool> dst_hint = std::nullopt) const;

private:
    TimeZone(std::string name, std::shared_ptr<const tz_detail::ZoneData> data);

    std::string name_;
    std::shared_ptr<const tz_detail::ZoneData> data_;
};

// Interval data in local time (a load profile from a meter that keeps local time): local
// stamps in the order the meter recorded them. Because the meter records forward in time,
// the repeated hour of a fall-back day is resolved by order: a local time whose earlier
// candidate is not after the previous record is the second pass (01:15 after 01:45 is the
// later instant). A missing local time follows the to_utc policy (shifted forward).
// A DST flag per record (the profile's status), when present, decides before the order.
class LocalSeriesResolver {
public:
    struct Step {
        TimestampUs utc_us = 0;
        LocalKind kind = LocalKind::unique;  // ambiguous or missing: the local time was
        bool guessed = false;                // neither the DST flag nor the order decided
    };

    // previous_utc: the instant of the record before the first one passed (e.g. the last
    // stored interval of this meter), so that a series starting inside the repeated hour
    // is still ordered correctly.
    explicit LocalSeriesResolver(TimeZone zone, std::optional<TimestampUs> previous_utc = std::nullopt);

    Step next(LocalTime local, std::optional<bool> dst_hint = std::nullopt);
    std::optional<TimestampUs> previous_utc() const { return previous_; }

private:
    TimeZone zone_;
    std::optional<TimestampUs> previous_;
};

}  // namespace gridgate
