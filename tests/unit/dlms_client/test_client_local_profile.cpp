// A load profile from a meter keeping local time in a tz zone, read by the session in
// small chunks across the fall-back night: the day's 100 intervals, in order, each once,
// none flagged; the range requests meant what they said.
#include <catch2/catch.hpp>
#include <set>

#include "client_harness.hpp"

using namespace gridgate;
using namespace gridgate::dlms;
using namespace gridgate::dlms::testing;

TEST_CASE("profile in New York local time across 2026-11-01: 100 intervals in order", "[dlms][client][profile][tz]") {
    constexpr TimestampUs quarter = 15 * minute_us;
    constexpr TimestampUs day_start = 1'793'505'600'000'000;  // 2026-11-01T04:00Z = 00:00 EDT
    constexpr TimestampUs day_end = day_start + 25 * 60 * minute_us;  // 2026-11-02 00:00 EST
    Harness h;
    h.meter.zone = LocalZone{-300, DstRule::us, 60};
    h.meter.record(day_start - 4 * quarter, day_end);
    h.clock.set_wall(day_end + 5 * minute_us);
    auto o = h.fast_options();
    o.time.ignore_deviation = true;  // the stamps are read as New York local time
    o.time.time_zone = TimeZone::load("America/New_York");
    ProfileOptions p;
    p.name = "lp1";
    p.channels = {ProfileChannel{kwh_obis, 2, "kwh", "kWh", 1.0}};
    p.last_stored_end_us = day_start;
    p.max_entries_per_read = 7;  // chunks that start inside the repeated hour
    o.profiles = {p};
    h.start(o);
    REQUIRE(h.run_until([&] {
        const auto s = h.stats();
        return !s.profiles.empty() && s.profiles[0].last_end_us == day_end;
    }));
    const auto kwh = h.readings("profile:lp1", "kwh");
    REQUIRE(kwh.size() == 100);
    std::set<TimestampUs> distinct;
    for (std::size_t i = 0; i < kwh.size(); ++i) {
        REQUIRE(kwh[i].ts_us == day_start + static_cast<TimestampUs>(i + 1) * quarter);
        REQUIRE(kwh[i].value == Approx(static_cast<double>(kwh[i].ts_us / quarter)));
        REQUIRE((kwh[i].quality & quality::meter_clock_suspect) == 0);
        distinct.insert(kwh[i].ts_us);
    }
    REQUIRE(distinct.size() == 100);
    REQUIRE(h.batches.size() >= 15);  // 100 / 7 chunks, each its own durable batch
}
