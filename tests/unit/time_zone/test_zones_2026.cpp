// America/New_York and Europe/Berlin around their 2026 DST changes, from the system's
// tzdata: offsets at the instants, the missing and the repeated hour, the to_utc policy,
// the 23- and 25-hour days, and far-future dates that only the TZif footer covers.
#include <catch2/catch.hpp>

#include <limits>
#include <optional>
#include <set>

#include "tz_test_util.hpp"

using namespace gridgate;
using namespace gridgate::tz_test;

namespace {

constexpr TimestampUs second = 1'000'000;

// Every UTC instant that a local hour of the given day can stand for.
std::set<TimestampUs> instants_of_local_hours(const TimeZone& zone, int y, int m, int d) {
    std::set<TimestampUs> instants;
    for (int h = 0; h < 24; ++h) {
        const LocalResolution r = zone.resolve(local(y, m, d, h));
        if (r.kind == LocalKind::unique) instants.insert(r.earlier_us);
        if (r.kind == LocalKind::ambiguous) instants.insert({r.earlier_us, r.later_us});
    }
    return instants;
}

}  // namespace

TEST_CASE("New York 2026: offsets switch at 07:00Z on 8 March and 06:00Z on 1 November") {
    const TimeZone ny = TimeZone::load("America/New_York");
    CHECK(ny.name() == "America/New_York");
    CHECK(ny.at(utc_us(2026, 3, 8, 7) - second) == ZoneOffset{-hours(5), false, "EST"});
    CHECK(ny.at(utc_us(2026, 3, 8, 7)) == ZoneOffset{-hours(4), true, "EDT"});
    CHECK(ny.at(utc_us(2026, 11, 1, 6) - 1) == ZoneOffset{-hours(4), true, "EDT"});
    CHECK(ny.at(utc_us(2026, 11, 1, 6)) == ZoneOffset{-hours(5), false, "EST"});
    CHECK(ny.to_local(utc_us(2026, 3, 8, 7) - second) == local(2026, 3, 8, 1, 59, 59));
    CHECK(ny.to_local(utc_us(2026, 3, 8, 7)) == local(2026, 3, 8, 3));
    CHECK(ny.to_local(utc_us(2026, 11, 1, 5, 30)) == local(2026, 11, 1, 1, 30));
    CHECK(ny.to_local(utc_us(2026, 11, 1, 6, 30)) == local(2026, 11, 1, 1, 30));
}

TEST_CASE("New York 2026: 02:00-02:59 on 8 March is missing, 01:00-01:59 on 1 November is ambiguous") {
    const TimeZone ny = TimeZone::load("America/New_York");

    CHECK(ny.resolve(local(2026, 3, 8, 1, 59, 59)).kind == LocalKind::unique);
    for (const LocalTime t : {local(2026, 3, 8, 2), local(2026, 3, 8, 2, 30), local(2026, 3, 8, 2, 59, 59)}) {
        INFO(format_local_time(t));
        const LocalResolution r = ny.resolve(t);
        CHECK(r.kind == LocalKind::missing);
        // Read as EDT it falls before the change, read as EST after it.
        CHECK(r.earlier_us == (t.seconds + hours(4)) * second);
        CHECK(r.later_us == (t.seconds + hours(5)) * second);
    }
    const LocalResolution three = ny.resolve(local(2026, 3, 8, 3));
    CHECK(three.kind == LocalKind::unique);
    CHECK(three.earlier_us == utc_us(2026, 3, 8, 7));

    CHECK(ny.resolve(local(2026, 11, 1, 0, 59, 59)).earlier_us == utc_us(2026, 11, 1, 4, 59, 59));
    const LocalResolution half_past_one = ny.resolve(local(2026, 11, 1, 1, 30));
    CHECK(half_past_one.kind == LocalKind::ambiguous);
    CHECK(half_past_one.earlier_us == utc_us(2026, 11, 1, 5, 30));
    CHECK(half_past_one.later_us == utc_us(2026, 11, 1, 6, 30));
    CHECK(ny.resolve(local(2026, 11, 1, 1)).kind == LocalKind::ambiguous);
    const LocalResolution two = ny.resolve(local(2026, 11, 1, 2));
    CHECK(two.kind == LocalKind::unique);
    CHECK(two.earlier_us == utc_us(2026, 11, 1, 7));
}

TEST_CASE("to_utc: the DST hint decides the repeated hour, else the earlier instant, flagged") {
    const TimeZone ny = TimeZone::load("America/New_York");
    const LocalTime repeated = local(2026, 11, 1, 1, 15);

    const UtcConversion no_hint = ny.to_utc(repeated);
    CHECK(no_hint.utc_us == utc_us(2026, 11, 1, 5, 15));
    CHECK(no_hint.kind == LocalKind::ambiguous);
    CHECK(no_hint.guessed);

    const UtcConversion dst = ny.to_utc(repeated, true);
    CHECK(dst.utc_us == utc_us(2026, 11, 1, 5, 15));
    CHECK_FALSE(dst.guessed);
    const UtcConversion standard = ny.to_utc(repeated, false);
    CHECK(standard.utc_us == utc_us(2026, 11, 1, 6, 15));
    CHECK_FALSE(standard.guessed);

    const UtcConversion ordinary = ny.to_utc(local(2026, 7, 1, 12), false);  // a wrong hint is ignored
    CHECK(ordinary.utc_us == utc_us(2026, 7, 1, 16));
    CHECK(ordinary.kind == LocalKind::unique);
    CHECK_FALSE(ordinary.guessed);

    // Microseconds ride along.
    CHECK(ny.to_utc(LocalTime{local(2026, 7, 1, 12).seconds, 250'000}).utc_us == utc_us(2026, 7, 1, 16) + 250'000);
}

TEST_CASE("to_utc: a missing time is shifted forward by the gap and flagged, whatever the hint") {
    const TimeZone ny = TimeZone::load("America/New_York");
    for (const std::optional<bool> hint : {std::optional<bool>{}, std::optional<bool>{true}, std::optional<bool>{false}}) {
        const UtcConversion c = ny.to_utc(local(2026, 3, 8, 2, 30), hint);
        CHECK(c.utc_us == utc_us(2026, 3, 8, 7, 30));
        CHECK(c.kind == LocalKind::missing);
        CHECK(c.guessed);
        CHECK(ny.to_local(c.utc_us) == local(2026, 3, 8, 3, 30));
    }
}

TEST_CASE("Berlin 2026: 29 March 02:00 -> 03:00 (01:00Z), 25 October 03:00 -> 02:00 (01:00Z)") {
    const TimeZone berlin = TimeZone::load("Europe/Berlin");
    CHECK(berlin.at(utc_us(2026, 3, 29, 1) - second) == ZoneOffset{hours(1), false, "CET"});
    CHECK(berlin.at(utc_us(2026, 3, 29, 1)) == ZoneOffset{hours(2), true, "CEST"});
    CHECK(berlin.at(utc_us(2026, 10, 25, 1) - second) == ZoneOffset{hours(2), true, "CEST"});
    CHECK(berlin.at(utc_us(2026, 10, 25, 1)) == ZoneOffset{hours(1), false, "CET"});

    const LocalResolution gap = berlin.resolve(local(2026, 3, 29, 2, 30));
    CHECK(gap.kind == LocalKind::missing);
    CHECK(gap.earlier_us == utc_us(2026, 3, 29, 0, 30));
    CHECK(gap.later_us == utc_us(2026, 3, 29, 1, 30));
    CHECK(berlin.to_utc(local(2026, 3, 29, 3)).utc_us == utc_us(2026, 3, 29, 1));

    const LocalResolution overlap = berlin.resolve(local(2026, 10, 25, 2, 30));
    CHECK(overlap.kind == LocalKind::ambiguous);
    CHECK(overlap.earlier_us == utc_us(2026, 10, 25, 0, 30));
    CHECK(overlap.later_us == utc_us(2026, 10, 25, 1, 30));
    CHECK(berlin.to_utc(local(2026, 10, 25, 2, 30), false).utc_us == utc_us(2026, 10, 25, 1, 30));
    CHECK(berlin.resolve(local(2026, 10, 25, 3)).kind == LocalKind::unique);
}

TEST_CASE("the spring-forward day has 23 local hours, the fall-back day 25") {
    const TimeZone ny = TimeZone::load("America/New_York");
    const TimeZone berlin = TimeZone::load("Europe/Berlin");
    CHECK(instants_of_local_hours(ny, 2026, 3, 8).size() == 23);
    CHECK(instants_of_local_hours(ny, 2026, 11, 1).size() == 25);
    CHECK(instants_of_local_hours(ny, 2026, 7, 1).size() == 24);
    CHECK(instants_of_local_hours(berlin, 2026, 3, 29).size() == 23);
    CHECK(instants_of_local_hours(berlin, 2026, 10, 25).size() == 25);
    CHECK(instants_of_local_hours(berlin, 2026, 3, 8).size() == 24);

    // Midnight to midnight in UTC.
    const auto day_length = [](const TimeZone& z, int y, int m, int d) {
        return (z.to_utc(local(y, m, d + 1)).utc_us - z.to_utc(local(y, m, d)).utc_us) / (3600 * second);
    };
    CHECK(day_length(ny, 2026, 3, 8) == 23);
    CHECK(day_length(ny, 2026, 11, 1) == 25);
    CHECK(day_length(berlin, 2026, 3, 29) == 23);
    CHECK(day_length(berlin, 2026, 10, 25) == 25);
}

TEST_CASE("dates beyond the files' explicit transitions follow the footer rule (2040, 2100)") {
    const TimeZone ny = TimeZone::load("America/New_York");
    const TimeZone berlin = TimeZone::load("Europe/Berlin");
    struct Case {
        const TimeZone* zone;
        TimestampUs change;
        std::int32_t before;
        std::int32_t after;
    };
    const Case cases[] = {
        {&ny, utc_us(2040, 3, 11, 7), -hours(5), -hours(4)},   {&ny, utc_us(2040, 11, 4, 6), -hours(4), -hours(5)},
        {&ny, utc_us(2100, 3, 14, 7), -hours(5), -hours(4)},   {&ny, utc_us(2100, 11, 7, 6), -hours(4), -hours(5)},
        {&berlin, utc_us(2040, 3, 25, 1), hours(1), hours(2)}, {&berlin, utc_us(2040, 10, 28, 1), hours(2), hours(1)},
        {&berlin, utc_us(2100, 3, 28, 1), hours(1), hours(2)}, {&berlin, utc_us(2100, 10, 31, 1), hours(2), hours(1)},
    };
    for (const Case& c : cases) {
        INFO(c.zone->name() << " at " << format_iso8601_utc(c.change));
        CHECK(c.zone->at(c.change - second).utc_offset_s == c.before);
        CHECK(c.zone->at(c.change).utc_offset_s == c.after);
        CHECK(c.zone->at(c.change).dst == (c.after > c.before));
    }
    CHECK(ny.at(utc_us(2100, 11, 7, 6)).abbreviation == "EST");
    CHECK(ny.resolve(local(2100, 11, 7, 1, 30)).kind == LocalKind::ambiguous);
    CHECK(ny.resolve(local(2100, 3, 14, 2, 30)).kind == LocalKind::missing);
    CHECK(instants_of_local_hours(berlin, 2100, 10, 31).size() == 25);
}

TEST_CASE("a zone without DST: Asia/Kolkata is +05:30 all year, every local time unique") {
    const TimeZone kolkata = TimeZone::load("Asia/Kolkata");
    for (const TimestampUs t : {utc_us(2026, 1, 15), utc_us(2026, 3, 8, 7), utc_us(2026, 7, 1), utc_us(2100, 1, 1)}) {
        CHECK(kolkata.at(t) == ZoneOffset{hours(5) + 1800, false, "IST"});
    }
    CHECK(kolkata.to_local(utc_us(2026, 6, 30, 18, 30)) == local(2026, 7, 1));
    for (int h = 0; h < 24; ++h) {
        const UtcConversion c = kolkata.to_utc(local(2026, 10, 25, h, 15));
        CHECK(c.kind == LocalKind::unique);
        CHECK_FALSE(c.guessed);
        CHECK(c.utc_us == utc_us(2026, 10, 25, h, 15) - (hours(5) + 1800) * second);
    }
}

TEST_CASE("UTC, built in or loaded, is the identity") {
    const TimeZone zones[] = {TimeZone::utc(), TimeZone::load("UTC"), TimeZone::load("Etc/UTC")};
    CHECK(zones[0].name() == "UTC");
    for (const TimeZone& z : zones) {
        for (const TimestampUs t : {TimestampUs{0}, utc_us(2026, 11, 1, 1, 30) + 7, TimestampUs{-1}, utc_us(2100, 3, 14, 2, 30)}) {
            CHECK(z.at(t).utc_offset_s == 0);
            CHECK_FALSE(z.at(t).dst);
            const LocalTime l = z.to_local(t);
            CHECK(z.to_utc(l).utc_us == t);
            CHECK(z.resolve(l).kind == LocalKind::unique);
        }
    }
    // One µs before the epoch is 23:59:59.999999 of the day before.
    CHECK(TimeZone::utc().to_local(-1) == LocalTime{-1, 999'999});
}

TEST_CASE("local times out of range are refused") {
    const TimeZone ny = TimeZone::load("America/New_York");
    CHECK_THROWS_AS(ny.resolve(LocalTime{0, 1'000'000}), std::out_of_range);
    CHECK_THROWS_AS(ny.resolve(LocalTime{0, -1}), std::out_of_range);
    CHECK_THROWS_AS(ny.to_utc(LocalTime{std::numeric_limits<std::int64_t>::max(), 0}), std::out_of_range);
}
