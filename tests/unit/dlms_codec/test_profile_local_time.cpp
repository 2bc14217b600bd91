// Load profiles of a meter keeping local time in a tz zone: the days of the 2026 DST
// transitions in New York and Berlin come out as 100 (25 h) and 92 (23 h) quarter-hour
// intervals, distinct and in order, whether the meter marks DST in its date-times or
// not, read whole or in chunks; a stamp in the missing hour is flagged suspect.
#include <catch2/catch.hpp>

#include "gridgate/dlms/profile.hpp"

using namespace gridgate;
using namespace gridgate::dlms;

namespace {

constexpr TimestampUs quarter_us = 15 * 60'000'000LL;

TimestampUs utc(int y, int mo, int d, int h, int mi = 0) { return LocalTime::from_civil(y, mo, d, h, mi).seconds * 1'000'000; }

const std::vector<CaptureObject> columns{
    {8, obis::clock, 2, 0}, {1, Obis{{0, 0, 96, 10, 1, 255}}, 2, 0}, {3, Obis{{1, 0, 1, 29, 0, 255}}, 2, 0}};

enum class Stamps { local_only, local_with_dst_bit };

// One row per interval end in (from, to], stamped as the meter shows it.
Data buffer_of(const TimeZone& zone, TimestampUs from, TimestampUs to, Stamps stamps) {
    std::vector<Data> rows;
    for (TimestampUs end = from + quarter_us; end <= to; end += quarter_us) {
        CosemDateTime t = from_utc_us(end, zone);
        t.deviation = CosemDateTime::deviation_not_specified;
        if (stamps == Stamps::local_only) t.status = clock_status::not_specified;
        const auto octets = encode_date_time(t);
        rows.push_back(Data::structure({Data::octet_string({octets.begin(), octets.end()}),
                                        Data::double_long_unsigned(interval_status::normal),
                                        Data::double_long_unsigned(static_cast<std::uint32_t>(end / quarter_us % 100000))}));
    }
    return Data::array(std::move(rows));
}

ProfileDecode decode(const Data& buffer, const TimeZone& zone, std::optional<TimestampUs> previous) {
    TimeInterpretation how;
    how.time_zone = zone;
    return decode_profile_buffer(buffer, columns.size(), find_layout(columns), std::chrono::minutes(15), how, previous);
}

// The local day [start, end) read whole and in chunks of `chunk` intervals, each chunk
// resolved after the previous one's last interval (the read pointer).
void require_day(const char* zone_name, TimestampUs start, TimestampUs end, std::size_t expected) {
    const TimeZone zone = TimeZone::load(zone_name);
    for (const Stamps stamps : {Stamps::local_only, Stamps::local_with_dst_bit}) {
        for (const std::size_t chunk : {std::size_t{1000}, std::size_t{3}, std::size_t{1}}) {
            CAPTURE(zone_name, stamps == Stamps::local_only ? "local only" : "DST bit", chunk);
            std::vector<ProfileEntry> all;
            std::optional<TimestampUs> pointer = start;  // the interval ending at midnight is stored
            for (TimestampUs from = start; from < end; from += static_cast<TimestampUs>(chunk) * quarter_us) {
                const TimestampUs to = std::min(end, from + static_cast<TimestampUs>(chunk) * quarter_us);
                auto d = decode(buffer_of(zone, from, to, stamps), zone, pointer);
                REQUIRE(d.skipped == 0);
                for (auto& e : d.entries) all.push_back(std::move(e));
                pointer = all.back().end_us;
            }
            REQUIRE(all.size() == expected);
            for (std::size_t i = 0; i < all.size(); ++i) {
                REQUIRE(all[i].end_us == start + static_cast<TimestampUs>(i + 1) * quarter_us);
                REQUIRE_FALSE(all[i].time_suspect);
            }
        }
    }
}

}  // namespace

TEST_CASE("fall-back day: 100 distinct intervals in order", "[dlms][profile][tz]") {
    // 2026-11-01 00:00 EDT = 04:00Z to 2026-11-02 00:00 EST = 05:00Z.
    require_day("America/New_York", utc(2026, 11, 1, 4), utc(2026, 11, 2, 5), 100);
    // 2026-10-25 00:00 CEST = 2026-10-24 22:00Z to 2026-10-26 00:00 CET = 2026-10-25 23:00Z.
    require_day("Europe/Berlin", utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), 100);
}

TEST_CASE("spring-forward day: 92 intervals in order", "[dlms][profile][tz]") {
    require_day("America/New_York", utc(2026, 3, 8, 5), utc(2026, 3, 9, 4), 92);
    require_day("Europe/Berlin", utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), 92);
}

TEST_CASE("the repeated hour's stamps appear twice and are kept apart", "[dlms][profile][tz]") {
    const TimeZone ny = TimeZone::load("America/New_York");
    const auto d = decode(buffer_of(ny, utc(2026, 11, 1, 4, 45), utc(2026, 11, 1, 7), Stamps::local_only), ny,
                          utc(2026, 11, 1, 4, 45));
    REQUIRE(d.entries.size() == 9);
    // 01:00 01:15 01:30 01:45 (EDT) 01:00 01:15 01:30 01:45 (EST) 02:00
    REQUIRE(d.entries[1].time.hour == 1);
    REQUIRE(d.entries[5].time.hour == 1);
    REQUIRE(d.entries[1].time.minute == d.entries[5].time.minute);
    REQUIRE(d.entries[5].end_us - d.entries[1].end_us == 4 * quarter_us);
}

TEST_CASE("a stamp in the missing hour is placed by policy and flagged suspect", "[dlms][profile][tz]") {
    const TimeZone ny = TimeZone::load("America/New_York");
    // A meter whose DST table is off: it stamps 02:15 .. 02:45 on 2026-03-08, an hour New York skips.
    std::vector<Data> rows;
    for (int minute : {0, 15, 30, 45}) {
        CosemDateTime t;
        t.year = 2026;
        t.month = 3;
        t.day = 8;
        t.hour = 2;
        t.minute = static_cast<std::uint8_t>(minute);
        t.second = 0;
        const auto octets = encode_date_time(t);
        rows.push_back(Data::structure({Data::octet_string({octets.begin(), octets.end()}),
                                        Data::double_long_unsigned(1), Data::double_long_unsigned(0)}));
    }
    const auto d = decode(Data::array(std::move(rows)), ny, utc(2026, 3, 8, 6, 45));
    REQUIRE(d.entries.size() == 4);
    for (const auto& e : d.entries) REQUIRE(e.time_suspect);
    REQUIRE(d.entries[0].end_us == utc(2026, 3, 8, 7));  // 02:00 read as EST: 07:00Z
    REQUIRE(d.entries[3].end_us == utc(2026, 3, 8, 7, 45));
}

TEST_CASE("a repeated-hour stamp behind the pointer is a guess and suspect", "[dlms][profile][tz]") {
    const TimeZone ny = TimeZone::load("America/New_York");
    // The pointer is already past both passes of 01:30 (a clock that went back).
    const auto d = decode(buffer_of(ny, utc(2026, 11, 1, 5, 15), utc(2026, 11, 1, 5, 30), Stamps::local_only), ny,
                          utc(2026, 11, 1, 7));
    REQUIRE(d.entries.size() == 1);
    REQUIRE(d.entries[0].time_suspect);
}
