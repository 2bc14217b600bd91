// POSIX TZ rule strings: the forms (Jn, n, Mm.w.d, explicit and negative times, quoted
// names, southern hemisphere, all-year DST) and the refusal of malformed rules.
#include <catch2/catch.hpp>

#include "tz_test_util.hpp"

using namespace gridgate;
using namespace gridgate::tz_test;
using Catch::Matchers::Contains;

namespace {

constexpr TimestampUs second = 1'000'000;

// Same offset and DST flag hour by hour over [from, to).
void check_same_offsets(const TimeZone& a, const TimeZone& b, TimestampUs from, TimestampUs to) {
    for (TimestampUs t = from; t < to; t += 3600 * second) {
        const ZoneOffset x = a.at(t);
        const ZoneOffset y = b.at(t);
        if (x.utc_offset_s != y.utc_offset_s || x.dst != y.dst) {
            FAIL(a.name() << " vs " << b.name() << " differ at " << format_iso8601_utc(t));
        }
    }
}

// The UTC instant where the offset changes, given it changes within [from, from + 48 h).
TimestampUs change_after(const TimeZone& z, TimestampUs from) {
    const std::int32_t start = z.at(from).utc_offset_s;
    for (TimestampUs t = from; t < from + 48 * 3600 * second; t += 60 * second) {
        if (z.at(t).utc_offset_s != start) return t;
    }
    return -1;
}

}  // namespace

TEST_CASE("a fixed-offset rule with a quoted name: <+0330>-3:30") {
    const TimeZone z = TimeZone::from_posix("<+0330>-3:30");
    CHECK(z.name() == "<+0330>-3:30");
    CHECK(z.at(utc_us(2026, 1, 1)) == ZoneOffset{hours(3) + 1800, false, "+0330"});
    CHECK(z.at(utc_us(2026, 7, 1)) == ZoneOffset{hours(3) + 1800, false, "+0330"});
    CHECK(TimeZone::from_posix("<-03>3").at(0) == ZoneOffset{-hours(3), false, "-03"});
    CHECK(TimeZone::from_posix("XXX+1:02:03").at(0).utc_offset_s == -(3600 + 120 + 3));
}

TEST_CASE("the EU rule with an explicit time matches Europe/Berlin, the US rule America/New_York") {
    const TimeZone cet = TimeZone::from_posix("CET-1CEST,M3.5.0,M10.5.0/3");
    check_same_offsets(cet, TimeZone::load("Europe/Berlin"), utc_us(1996, 1, 1), utc_us(2040, 1, 1));
    CHECK(cet.at(utc_us(2026, 10, 25, 1)) == ZoneOffset{hours(1), false, "CET"});
    CHECK(cet.at(utc_us(2026, 10, 25, 1) - second) == ZoneOffset{hours(2), true, "CEST"});

    const TimeZone us = TimeZone::from_posix("EST5EDT,M3.2.0,M11.1.0");
    check_same_offsets(us, TimeZone::load("America/New_York"), utc_us(2007, 1, 1), utc_us(2040, 1, 1));
    // The DST offset defaults to one hour ahead; an explicit one is taken as written.
    CHECK(us.at(utc_us(2026, 7, 1)).utc_offset_s == -hours(4));
    CHECK(TimeZone::from_posix("XXX-2YYY-4,M3.5.0,M10.5.0").at(utc_us(2026, 7, 1)).utc_offset_s == hours(4));
}

TEST_CASE("southern hemisphere: DST spans the new year (Australia/Sydney)") {
    const TimeZone sydney = TimeZone::from_posix("AEST-10AEDT,M10.1.0,M4.1.0/3");
    CHECK(sydney.at(utc_us(2026, 1, 1)) == ZoneOffset{hours(11), true, "AEDT"});
    CHECK(sydney.at(utc_us(2026, 7, 1)) == ZoneOffset{hours(10), false, "AEST"});
    // 5 April 2026 03:00 AEDT = 4 April 16:00Z; 4 October 2026 02:00 AEST = 3 October 16:00Z.
    CHECK(change_after(sydney, utc_us(2026, 4, 4)) == utc_us(2026, 4, 4, 16));
    CHECK(change_after(sydney, utc_us(2026, 10, 3)) == utc_us(2026, 10, 3, 16));
    check_same_offsets(sydney, TimeZone::load("Australia/Sydney"), utc_us(2008, 6, 1), utc_us(2040, 1, 1));
}

TEST_CASE("Jn counts no 29 February, n counts it") {
    // J60 is 1 March in every year; zero-based day 59 is 1 March only in common years.
    const TimeZone julian = TimeZone::from_posix("XXX3YYY,J60/2,J300/2");
    const TimeZone zero_based = TimeZone::from_posix("XXX3YYY,59/2,299/2");
    CHECK(change_after(julian, utc_us(2024, 2, 29)) == utc_us(2024, 3, 1, 5));  // leap year
    CHECK(change_after(julian, utc_us(2025, 2, 28)) == utc_us(2025, 3, 1, 5));
    CHECK(change_after(zero_based, utc_us(2024, 2, 28)) == utc_us(2024, 2, 29, 5));
    CHECK(change_after(zero_based, utc_us(2025, 2, 28)) == utc_us(2025, 3, 1, 5));
    // J300 is 27 October; day 299 is 27 October in common years, 26 in leap years.
    CHECK(change_after(julian, utc_us(2024, 10, 26)) == utc_us(2024, 10, 27, 4));
    CHECK(change_after(zero_based, utc_us(2024, 10, 25)) == utc_us(2024, 10, 26, 4));
    CHECK(change_after(zero_based, utc_us(2025, 10, 26)) == utc_us(2025, 10, 27, 4));
    CHECK(julian.at(utc_us(2026, 6, 1)) == ZoneOffset{-hours(2), true, "YYY"});
}

TEST_CASE("M rules: week 5 is the last, weekday 0 is Sunday") {
    // Last Sunday of October 2026 is the 25th; last Friday (5) of February 2026 is the 27th.
    const TimeZone z = TimeZone::from_posix("AAA0BBB,M2.5.5/0,M10.5.0/0");
    CHECK(change_after(z, utc_us(2026, 2, 26)) == utc_us(2026, 2, 27));
    CHECK(change_after(z, utc_us(2026, 10, 24)) == utc_us(2026, 10, 24, 23));  // 00:00 BBB = 23:00Z
    // The first Monday (1) of June 2026 is the 1st.
    const TimeZone first = TimeZone::from_posix("AAA0BBB,M6.1.1/0,M9.1.1/0");
    CHECK(change_after(first, utc_us(2026, 5, 31)) == utc_us(2026, 6, 1));
}

TEST_CASE("transition times may be negative or beyond 24 h (RFC 8536 extension)") {
    // Greenland: DST starts at -1:00 local on the last Sunday of March, i.e. 01:00Z like the EU.
    const TimeZone nuuk = TimeZone::from_posix("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
    CHECK(change_after(nuuk, utc_us(2026, 3, 28)) == utc_us(2026, 3, 29, 1));
    CHECK(change_after(nuuk, utc_us(2026, 10, 24)) == utc_us(2026, 10, 25, 1));
    check_same_offsets(nuuk, TimeZone::load("America/Nuuk"), utc_us(2024, 1, 1), utc_us(2040, 1, 1));
    // Chile: 24:00 on the first Saturday of April 2026 (the 4th) = 5 April 03:00Z.
    const TimeZone santiago = TimeZone::from_posix("<-04>4<-03>,M9.1.6/24,M4.1.6/24");
    CHECK(change_after(santiago, utc_us(2026, 4, 4)) == utc_us(2026, 4, 5, 3));
    CHECK(change_after(santiago, utc_us(2026, 9, 5)) == utc_us(2026, 9, 6, 4));
    // 167 hours is the largest time allowed.
    const TimeZone far = TimeZone::from_posix("AAA0BBB,J1/167,J200/-167");
    CHECK(change_after(far, utc_us(2026, 1, 7, 12)) == utc_us(2026, 1, 7, 23));
}

TEST_CASE("all-year DST written as 0/0,J365/25 stays in DST across the new year") {
    const TimeZone z = TimeZone::from_posix("EST5EDT,0/0,J365/25");
    for (const TimestampUs t : {utc_us(2026, 1, 1, 4, 30), utc_us(2026, 1, 1, 5), utc_us(2026, 6, 1),
                                utc_us(2026, 12, 31, 23), utc_us(2027, 1, 1, 5), utc_us(2027, 1, 1, 5) - 1}) {
        INFO(format_iso8601_utc(t));
        CHECK(z.at(t) == ZoneOffset{-hours(4), true, "EDT"});
    }
    CHECK(z.resolve(local(2027, 1, 1, 0, 30)).kind == LocalKind::unique);
    CHECK(z.resolve(local(2026, 12, 31, 23, 30)).kind == LocalKind::unique);
}

TEST_CASE("malformed rules are refused with the reason and position") {
    struct Bad {
        const char* rule;
        const char* reason;
    };
    const Bad cases[] = {
        {"", "empty rule"},
        {":America/New_York", "load the zone by name"},
        {"E5", "at least 3 characters"},
        {"EST", "expected a number for UTC offset"},
        {"EST25", "UTC offset hours out of range"},
        {"EST5:60", "minutes or seconds out of range"},
        {"<+05", "unterminated"},
        {"<+0 5>-5", "bad character"},
        {"EST5EDT", "without transition rules"},
        {"EST5EDT,M3.2.0", "',' before the DST end rule"},
        {"EST5EDT,M13.2.0,M11.1.0", "month must be 1..12"},
        {"EST5EDT,M3.6.0,M11.1.0", "week must be 1..5"},
        {"EST5EDT,M3.2.7,M11.1.0", "weekday must be 0..6"},
        {"EST5EDT,J0,M11.1.0", "Jn day must be 1..365"},
        {"EST5EDT,366,M11.1.0", "day of year must be 0..365"},
        {"EST5EDT,M3.2.0/168,M11.1.0", "transition time hours out of range"},
        {"EST5EDT,X3,M11.1.0", "expected a date rule"},
        {"EST5EDT,M3.2.0,M11.1.0x", "unexpected characters"},
        {"EST5!", "zone name of at least 3"},
        {"EST5junk", "without transition rules"},
        {"EST5EDT,M3.2.0,M11.1.0/12345", "too many digits"},
    };
    for (const Bad& bad : cases) {
        INFO(bad.rule);
        CHECK_THROWS_WITH(TimeZone::from_posix(bad.rule), Contains(bad.reason) && Contains("at offset"));
    }
    CHECK_THROWS_AS(TimeZone::from_posix("EST5EDT"), TimeZoneError);
}
