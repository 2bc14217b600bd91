// COSEM date-times of meters in a tz zone (clock.time_zone): read as local time with the
// clock status DST bit as the hint of the repeated hour, and written as local time with
// the deviation and DST bit of the offset in force. Zones from the system's tzdata.
#include <catch2/catch.hpp>

#include "gridgate/dlms/cosem_time.hpp"

using namespace gridgate;
using namespace gridgate::dlms;

namespace {

constexpr TimestampUs hour_us = 3'600'000'000;

TimestampUs utc(int y, int mo, int d, int h, int mi = 0) {
    const LocalTime t = LocalTime::from_civil(y, mo, d, h, mi);
    return t.seconds * 1'000'000;
}

CosemDateTime local(int y, int mo, int d, int h, int mi, std::uint8_t status = clock_status::not_specified) {
    CosemDateTime t;
    t.year = static_cast<std::uint16_t>(y);
    t.month = static_cast<std::uint8_t>(mo);
    t.day = static_cast<std::uint8_t>(d);
    t.hour = static_cast<std::uint8_t>(h);
    t.minute = static_cast<std::uint8_t>(mi);
    t.second = 0;
    t.hundredths = 0;
    t.status = status;
    return t;
}

TimeInterpretation in_zone(const char* name) {
    TimeInterpretation how;
    how.time_zone = TimeZone::load(name);
    return how;
}

}  // namespace

TEST_CASE("New York local date-times without deviation, 2026 transitions", "[dlms][cosem_time][tz]") {
    const auto how = in_zone("America/New_York");
    SECTION("ordinary days") {
        REQUIRE(to_utc_us(local(2026, 1, 15, 12, 0), how) == utc(2026, 1, 15, 17));
        REQUIRE(to_utc_us(local(2026, 7, 1, 8, 0), how) == utc(2026, 7, 1, 12));
    }
    SECTION("fall back 2026-11-01: the DST bit picks the pass, none = the first") {
        REQUIRE(to_utc_us(local(2026, 11, 1, 1, 30, 0x80), how) == utc(2026, 11, 1, 5, 30));
        REQUIRE(to_utc_us(local(2026, 11, 1, 1, 30, 0x00), how) == utc(2026, 11, 1, 6, 30));
        REQUIRE(to_utc_us(local(2026, 11, 1, 1, 30), how) == utc(2026, 11, 1, 5, 30));
    }
    SECTION("spring forward 2026-03-08: a stamp in the missing hour is shifted forward") {
        REQUIRE(to_utc_us(local(2026, 3, 8, 1, 59), how) == utc(2026, 3, 8, 6, 59));
        REQUIRE(to_utc_us(local(2026, 3, 8, 2, 30), how) == utc(2026, 3, 8, 7, 30));
        REQUIRE(to_utc_us(local(2026, 3, 8, 3, 0), how) == utc(2026, 3, 8, 7, 0));
    }
    SECTION("a deviation the meter sends wins over the zone, unless ignored") {
        CosemDateTime t = local(2026, 7, 1, 8, 0);
        t.deviation = 300;  // blue book: UTC = local + 5 h (wrong for July: EDT is 4 h)
        REQUIRE(to_utc_us(t, how) == utc(2026, 7, 1, 13));
        auto ignoring = how;
        ignoring.ignore_deviation = true;
        REQUIRE(to_utc_us(t, ignoring) == utc(2026, 7, 1, 12));
        REQUIRE_FALSE(reads_as_local(t, how));
        REQUIRE(reads_as_local(t, ignoring));
    }
}

TEST_CASE("Berlin local date-times without deviation, 2026 transitions", "[dlms][cosem_time][tz]") {
    const auto how = in_zone("Europe/Berlin");
    REQUIRE(to_utc_us(local(2026, 10, 25, 2, 30, 0x80), how) == utc(2026, 10, 25, 0, 30));
    REQUIRE(to_utc_us(local(2026, 10, 25, 2, 30, 0x00), how) == utc(2026, 10, 25, 1, 30));
    REQUIRE(to_utc_us(local(2026, 3, 29, 2, 30), how) == utc(2026, 3, 29, 1, 30));  // missing: +1 h on
    REQUIRE(to_utc_us(local(2026, 3, 29, 3, 0), how) == utc(2026, 3, 29, 1, 0));
}

TEST_CASE("date-times to write: local fields, deviation and DST bit of the zone", "[dlms][cosem_time][tz]") {
    const TimeZone ny = TimeZone::load("America/New_York");
    const TimeZone berlin = TimeZone::load("Europe/Berlin");
    SECTION("New York summer: 08:00, deviation +240 (blue book), DST") {
        const auto t = from_utc_us(utc(2026, 7, 1, 12), ny);
        REQUIRE(to_string(t) == "2026-07-01 08:00:00.00 dev=240 st=80");
        REQUIRE(t.day_of_week == 3);  // a Wednesday
        REQUIRE(from_utc_us(utc(2026, 7, 1, 12), ny, DeviationSign::iso).deviation == -240);
    }
    SECTION("the two 01:30 of 2026-11-01 in New York differ by deviation and DST bit") {
        REQUIRE(to_string(from_utc_us(utc(2026, 11, 1, 5, 30), ny)) == "2026-11-01 01:30:00.00 dev=240 st=80");
        REQUIRE(to_string(from_utc_us(utc(2026, 11, 1, 6, 30), ny)) == "2026-11-01 01:30:00.00 dev=300 st=00");
    }
    SECTION("Berlin both sides of 2026-03-29 01:00Z") {
        REQUIRE(to_string(from_utc_us(utc(2026, 3, 29, 0, 59), berlin)) == "2026-03-29 01:59:00.00 dev=-60 st=00");
        REQUIRE(to_string(from_utc_us(utc(2026, 3, 29, 1, 0), berlin)) == "2026-03-29 03:00:00.00 dev=-120 st=80");
    }
    SECTION("round trip through a meter that drops the deviation but keeps the DST bit") {
        TimeInterpretation how;
        how.time_zone = ny;
        for (TimestampUs t = utc(2026, 10, 31, 12); t < utc(2026, 11, 2, 12); t += hour_us / 4) {
            CosemDateTime d = from_utc_us(t, ny);
            d.deviation = CosemDateTime::deviation_not_specified;
            REQUIRE(to_utc_us(d, how) == t);
        }
    }
}

TEST_CASE("what a date-time says about the meter's clock", "[dlms][cosem_time]") {
    CosemDateTime t = local(2026, 3, 2, 10, 0);
    REQUIRE(resolution_of(t) == std::chrono::milliseconds(10));
    t.hundredths = 0xFF;
    REQUIRE(resolution_of(t) == std::chrono::seconds(1));
    REQUIRE_FALSE(dst_hint_of(t));
    t.status = 0x80;
    REQUIRE(dst_hint_of(t) == true);
    t.status = 0x02;  // doubtful value, standard time
    REQUIRE(dst_hint_of(t) == false);
    REQUIRE(local_time_of(local(2026, 3, 2, 10, 0)) == LocalTime::from_civil(2026, 3, 2, 10, 0));
}
