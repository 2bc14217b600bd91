// Load profiles in local time: 15-minute intervals across the fall-back hour are resolved
// by their order (no duplicate, no swap), with or without the profile's DST flag; the
// spring-forward gap is flagged.
#include <catch2/catch.hpp>

#include <vector>

#include "tz_test_util.hpp"

using namespace gridgate;
using namespace gridgate::tz_test;

namespace {

constexpr TimestampUs minute = 60'000'000;

// What a meter keeping local time records every 15 minutes from `first` (UTC) for `count`
// intervals: local stamps, and the DST flag of each (the profile status bit).
struct Profile {
    std::vector<LocalTime> stamps;
    std::vector<bool> dst;
    std::vector<TimestampUs> truth;
};

Profile record(const TimeZone& zone, TimestampUs first, int count) {
    Profile p;
    for (int i = 0; i < count; ++i) {
        const TimestampUs t = first + i * 15 * minute;
        p.truth.push_back(t);
        p.stamps.push_back(zone.to_local(t));
        p.dst.push_back(zone.at(t).dst);
    }
    return p;
}

}  // namespace

TEST_CASE("a 15-minute profile across New York's fall-back hour resolves in order") {
    const TimeZone ny = TimeZone::load("America/New_York");
    // 2026-11-01 00:00 EDT (04:00Z) to 03:00 EST (08:00Z): 17 records, 01:00-01:45 twice.
    const Profile p = record(ny, utc_us(2026, 11, 1, 4), 17);
    REQUIRE(p.stamps[4] == local(2026, 11, 1, 1));
    REQUIRE(p.stamps[8] == local(2026, 11, 1, 1));

    LocalSeriesResolver resolver(ny);
    int ambiguous = 0;
    int guessed = 0;
    for (std::size_t i = 0; i < p.stamps.size(); ++i) {
        INFO(format_local_time(p.stamps[i]));
        const LocalSeriesResolver::Step step = resolver.next(p.stamps[i]);
        CHECK(step.utc_us == p.truth[i]);
        ambiguous += step.kind == LocalKind::ambiguous ? 1 : 0;
        guessed += step.guessed ? 1 : 0;
        if (i >= 8 && i < 12) CHECK_FALSE(step.guessed);  // the second pass is forced by the order
    }
    CHECK(ambiguous == 8);
    CHECK(guessed == 4);  // the first pass: an outage could have skipped to the second
    CHECK(resolver.previous_utc() == p.truth.back());
}

TEST_CASE("with the profile's DST flag every record of the repeated hour is decided") {
    const TimeZone berlin = TimeZone::load("Europe/Berlin");
    // 2026-10-25 01:00 CEST (23:00Z the day before) to 04:00 CET (03:00Z): 02:00-02:45 twice.
    const Profile p = record(berlin, utc_us(2026, 10, 24, 23), 17);
    LocalSeriesResolver resolver(berlin);
    for (std::size_t i = 0; i < p.stamps.size(); ++i) {
        INFO(format_local_time(p.stamps[i]));
        const LocalSeriesResolver::Step step = resolver.next(p.stamps[i], p.dst[i]);
        CHECK(step.utc_us == p.truth[i]);
        CHECK_FALSE(step.guessed);
    }
}

TEST_CASE("a profile that starts inside the repeated hour is ordered after the stored records") {
    const TimeZone ny = TimeZone::load("America/New_York");
    // The last stored record was 01:45 EDT (05:45Z); the next read starts at 01:00 EST.
    LocalSeriesResolver resolver(ny, utc_us(2026, 11, 1, 5, 45));
    const LocalSeriesResolver::Step first = resolver.next(local(2026, 11, 1, 1));
    CHECK(first.utc_us == utc_us(2026, 11, 1, 6));
    CHECK(first.kind == LocalKind::ambiguous);
    CHECK_FALSE(first.guessed);
    // Without that context the same stamp is the earlier instant, guessed.
    LocalSeriesResolver fresh(ny);
    const LocalSeriesResolver::Step alone = fresh.next(local(2026, 11, 1, 1));
    CHECK(alone.utc_us == utc_us(2026, 11, 1, 5));
    CHECK(alone.guessed);
}

TEST_CASE("a record going back inside the repeated hour takes the later instant, guessed") {
    const TimeZone ny = TimeZone::load("America/New_York");
    LocalSeriesResolver resolver(ny, utc_us(2026, 11, 1, 6, 45));  // 01:45 EST
    const LocalSeriesResolver::Step step = resolver.next(local(2026, 11, 1, 1, 30));
    CHECK(step.utc_us == utc_us(2026, 11, 1, 6, 30));
    CHECK(step.guessed);
}

TEST_CASE("spring forward: the meter's jump from 01:45 to 03:00 is 15 minutes; 02:xx stamps are flagged") {
    const TimeZone ny = TimeZone::load("America/New_York");
    const Profile p = record(ny, utc_us(2026, 3, 8, 6), 8);  // 01:00 EST .. 03:45 EDT
    REQUIRE(p.stamps[3] == local(2026, 3, 8, 1, 45));
    REQUIRE(p.stamps[4] == local(2026, 3, 8, 3));
    LocalSeriesResolver resolver(ny);
    for (std::size_t i = 0; i < p.stamps.size(); ++i) {
        const LocalSeriesResolver::Step step = resolver.next(p.stamps[i]);
        CHECK(step.utc_us == p.truth[i]);
        CHECK(step.kind == LocalKind::unique);
        CHECK_FALSE(step.guessed);
    }
    // A meter with a wrong DST table stamps 02:15, which does not exist here.
    LocalSeriesResolver wrong(ny, utc_us(2026, 3, 8, 7));
    const LocalSeriesResolver::Step step = wrong.next(local(2026, 3, 8, 2, 15));
    CHECK(step.kind == LocalKind::missing);
    CHECK(step.guessed);
    CHECK(step.utc_us == utc_us(2026, 3, 8, 7, 15));  // shifted forward: read as EST
}
