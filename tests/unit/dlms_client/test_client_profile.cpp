// Profile reads against the fake meter: the first read with history, reads at each capture
// boundary, block transfer of a long buffer, channels the meter does not capture, stop()
// while a chunk is being stored, and the 25-hour day at the end of DST.
#include <catch2/catch.hpp>
#include <set>

#include "client_harness.hpp"

using namespace gridgate;
using namespace gridgate::dlms;
using namespace gridgate::dlms::testing;

namespace {

constexpr TimestampUs quarter = 15 * minute_us;
constexpr TimestampUs hour = 60 * minute_us;
const LocalZone cet{60, DstRule::eu, 60};

ProfileOptions lp(std::optional<TimestampUs> stored = std::nullopt) {
    ProfileOptions p;
    p.name = "lp1";
    p.channels = {ProfileChannel{kwh_obis, 2, "kwh", "kWh", 1.0},
                  ProfileChannel{kvarh_obis, 2, "kvarh", "Mvarh", 1e-3}};
    p.status_point = "lp_status";
    p.last_stored_end_us = stored;
    return p;
}

ClientOptions with_profile(const Harness& h, ProfileOptions p) {
    auto o = h.fast_options();
    o.profiles = {std::move(p)};
    return o;
}

}  // namespace

TEST_CASE("profile: the first read goes back `history`, then a read per capture boundary", "[dlms][client][profile]") {
    Harness h;
    h.meter.zone = cet;
    h.meter.record(t0 - 48 * hour + quarter, t0);
    h.clock.set_wall(t0 + 5 * minute_us);  // 10:05
    h.start(with_profile(h, lp()));
    REQUIRE(h.run_until([&] { return h.count_events("dlms_profile_refilled") == 1; }));

    // 10:00 yesterday (exclusive) to 10:00 today: 96 intervals in one durable batch.
    REQUIRE(h.batches.size() == 1);
    const ReadBatch& b = h.batches[0];
    REQUIRE(b.task == "profile:lp1");
    REQUIRE(b.durable);
    REQUIRE(b.readings.size() == 96 * 3);
    const auto kwh = h.readings("profile:lp1", "kwh");
    REQUIRE(kwh.size() == 96);
    for (std::size_t i = 0; i < kwh.size(); ++i) {
        const TimestampUs end = t0 - 24 * hour + quarter * static_cast<TimestampUs>(i + 1);
        REQUIRE(kwh[i].ts_us == end);
        REQUIRE(kwh[i].value == Approx(static_cast<double>(end / quarter)));
        REQUIRE(kwh[i].unit == "kWh");
        // Read more than a period after its end: refilled (all but 10:00: 09:45 + 15 min < 10:05).
        REQUIRE(((kwh[i].quality & quality::refilled) != 0) == (i < 95));
    }
    const auto kvarh = h.readings("profile:lp1", "kvarh");
    REQUIRE(kvarh.back().value == Approx(10.0 * static_cast<double>(t0 / quarter) * 1e-3));
    const auto status = h.readings("profile:lp1", "lp_status");
    REQUIRE(status.size() == 96);
    REQUIRE(status[0].value == 1.0);
    REQUIRE(status[0].unit.empty());

    // The range went out as the meter's local time (CET) and meant exactly this.
    REQUIRE(h.meter.ranges.at(0) == std::make_pair(t0 - 24 * hour + 1'000'000, t0));
    const auto* e = h.last_event("dlms_profile_refilled");
    REQUIRE(e->detail_json.find("\"intervals\":95") != std::string::npos);
    REQUIRE(e->detail_json.find("\"lost\":0") != std::string::npos);
    REQUIRE(e->detail_json.find("\"entries_in_use\":192") != std::string::npos);
    REQUIRE(e->detail_json.find("\"profile_entries\":10000") != std::string::npos);
    auto s = h.stats();
    REQUIRE(s.profiles.at(0).last_end_us == t0);
    REQUIRE(s.profiles.at(0).intervals == 96);
    REQUIRE(s.profiles.at(0).refilled == 95);
    REQUIRE(s.profiles.at(0).capture_period == std::chrono::minutes(15));
    REQUIRE(h.count_events("dlms_profile_lost") == 0);  // nothing was stored before: nothing lost

    // The next boundary (10:15) + poll_delay: the new interval, not refilled.
    h.meter.record(t0 + quarter, t0 + quarter);
    h.clock.set_wall(t0 + quarter + 10'000'000);
    REQUIRE(h.run_until([&] { return h.batches.size() == 2; }));
    REQUIRE(h.batches[1].readings.size() == 3);
    REQUIRE(h.batches[1].readings[0].ts_us == t0 + quarter);
    REQUIRE(h.batches[1].readings[0].quality == quality::good);
    h.meter.record(t0 + 2 * quarter, t0 + 2 * quarter);
    h.clock.set_wall(t0 + 2 * quarter + 10'000'000);
    REQUIRE(h.run_until([&] { return h.batches.size() == 3; }));
    REQUIRE(h.batches[2].readings[0].ts_us == t0 + 2 * quarter);
    REQUIRE(h.run_until([&] { return h.stats().profiles.at(0).intervals == 98; }));
    REQUIRE(h.count_events("dlms_profile_refilled") == 1);
    // Capture objects and period were read once in this association.
    REQUIRE(h.meter.count("GET-LIST 2 7/1.0.99.1.0.255/3") == 1);
    REQUIRE(h.meter.count("AARQ") == 1);
}

TEST_CASE("profile: a long buffer comes by block transfer", "[dlms][client][profile]") {
    Harness h;
    h.meter.max_pdu = 256;
    h.meter.record(t0 - 24 * hour + quarter, t0);
    h.clock.set_wall(t0 + 20'000'000);
    h.start(with_profile(h, lp(t0 - 24 * hour)));
    REQUIRE(h.run_until([&] { return h.stats().profiles.at(0).last_end_us == t0; }));
    REQUIRE(h.readings("profile:lp1", "kwh").size() == 96);
    REQUIRE(h.batches.size() == 1);
    REQUIRE(h.stats().blocks >= 10);
    REQUIRE(h.meter.count("GET-NEXT") + 1 == h.stats().blocks);
}

TEST_CASE("profile: a channel the meter does not capture is reported once", "[dlms][client][profile]") {
    Harness h;
    h.meter.record(t0 - hour + quarter, t0);
    h.clock.set_wall(t0 + 20'000'000);
    auto p = lp(t0 - hour);
    const Obis missing{{1, 0, 9, 29, 0, 255}};
    p.channels.push_back(ProfileChannel{missing, 2, "kvah", "kVAh", 1.0});
    h.start(with_profile(h, p));
    REQUIRE(h.run_until([&] { return h.batches.size() == 1; }));
    REQUIRE(h.count_events("dlms_profile_channel_missing") == 1);
    REQUIRE(h.last_event("dlms_profile_channel_missing")->detail_json ==
            "{\"profile\":\"lp1\",\"obis\":\"1.0.9.29.0.255\"}");
    REQUIRE(h.readings("profile:lp1", "kwh").size() == 4);
    REQUIRE(h.readings("profile:lp1", "kvah").empty());
    h.meter.record(t0 + quarter, t0 + quarter);
    h.clock.set_wall(t0 + quarter + 10'000'000);
    REQUIRE(h.run_until([&] { return h.batches.size() == 2; }));
    REQUIRE(h.count_events("dlms_profile_channel_missing") == 1);
}

TEST_CASE("profile: stop() while a chunk is being stored waits for it", "[dlms][client][profile]") {
    Harness h;
    h.auto_store = false;
    h.meter.record(t0 - 48 * hour + quarter, t0);
    h.clock.set_wall(t0 + 20'000'000);
    auto p = lp(t0 - 48 * hour);
    p.max_entries_per_read = 96;  // two chunks
    h.start(with_profile(h, p));
    REQUIRE(h.run_until([&] { return h.batches.size() == 1; }));
    bool stopped = false;
    h.session->stop([&] { stopped = true; });
    h.run_for(50ms);
    REQUIRE(!stopped);
    REQUIRE(h.meter.count("RLRQ") == 0);
    h.dones.at(0)(true);  // committed: the pointer moves, no further chunk is read
    REQUIRE(h.run_until([&] { return stopped; }));
    REQUIRE(h.batches.size() == 1);
    REQUIRE(h.meter.count("GET-RANGE") == 1);
    REQUIRE(h.meter.count("RLRQ") == 1);
    REQUIRE(h.stats().profiles.at(0).last_end_us == t0 - 24 * hour);
}

TEST_CASE("profile: the 25-hour day at the end of EU summer time", "[dlms][client][profile][dst]") {
    // 2026-10-25 local (Europe/Paris): 00:00 CEST = 2026-10-24T22:00Z to 24:00 CET =
    // 2026-10-25T23:00Z. Hourly intervals: 25 of them, two ending at 02:00 local.
    const TimestampUs day_start = 1'792'843'200'000'000 + 10 * hour;  // 2026-10-24T22:00Z
    Harness h;
    h.meter.zone = cet;
    h.meter.period = std::chrono::hours(1);
    h.meter.record(day_start - 5 * hour, day_start + 25 * hour);
    h.clock.set_wall(day_start + 25 * hour + 10'000'000);
    auto p = lp(day_start);
    h.start(with_profile(h, p));
    REQUIRE(h.run_until([&] { return h.stats().profiles.at(0).last_end_us == day_start + 25 * hour; }));
    const auto kwh = h.readings("profile:lp1", "kwh");
    REQUIRE(kwh.size() == 25);
    std::set<TimestampUs> distinct;
    for (std::size_t i = 0; i < kwh.size(); ++i) {
        REQUIRE(kwh[i].ts_us == day_start + hour * static_cast<TimestampUs>(i + 1));
        distinct.insert(kwh[i].ts_us);
    }
    REQUIRE(distinct.size() == 25);
    REQUIRE(h.meter.ranges.at(0).first == day_start + 1'000'000);
    // The meter really did send two intervals ending at 02:00 local.
    const auto first = from_utc_us(day_start + 2 * hour, cet);
    const auto second = from_utc_us(day_start + 3 * hour, cet);
    REQUIRE(first.hour == 2);
    REQUIRE(second.hour == 2);
    REQUIRE(first.deviation != second.deviation);
}

TEST_CASE("profile: new columns or period at the next association are reported", "[dlms][client][profile]") {
    Harness h;
    h.meter.record(t0 - hour + quarter, t0);
    h.clock.set_wall(t0 + 20'000'000);
    auto o = with_profile(h, lp(t0 - hour));
    o.idle_release = 30ms;
    h.start(o);
    REQUIRE(h.run_until([&] { return h.meter.count("RLRQ") == 1; }));
    REQUIRE(h.count_events("dlms_profile_changed") == 0);
    h.meter.channels = {kwh_obis};  // reconfigured in between: kvarh no longer captured
    h.meter.buffer.clear();
    h.session->request_profile_read();
    REQUIRE(h.run_until([&] { return h.count_events("dlms_profile_changed") == 1; }));
    const auto& detail = h.last_event("dlms_profile_changed")->detail_json;
    REQUIRE(detail.find("\"profile\":\"lp1\"") != std::string::npos);
    REQUIRE(detail.find("3/1.0.3.29.0.255/2") != std::string::npos);  // in columns_before only
    REQUIRE(h.run_until([&] { return h.count_events("dlms_profile_channel_missing") == 1; }));
}

TEST_CASE("profile: a meter whose clock is slow is read when its interval has ended, not flagged refilled",
          "[dlms][client][profile]") {
    Harness h;
    h.meter.clock_offset_us = -30'000'000;  // 30 s slow: it closes 10:15 at 10:15:30 gateway time
    h.meter.record(t0 - hour + quarter, t0);
    h.clock.set_wall(t0 + 60'000'000);
    h.start(with_profile(h, lp(t0)));
    REQUIRE(h.run_until([&] { return h.meter.ranges.size() == 1; }));  // the read at association
    REQUIRE(h.stats().last_offset_ms.has_value());

    // 10:15:15 on the gateway's clock is 10:14:45 on the meter's: its boundary plus the poll
    // delay (10 s) is still ahead, so no read yet (one would find nothing and the interval
    // would wait a whole period, then look refilled).
    h.clock.set_wall(t0 + quarter + 15'000'000);
    h.run_for(std::chrono::milliseconds(100));
    REQUIRE(h.meter.ranges.size() == 1);

    h.meter.record(t0 + quarter, t0 + quarter);
    h.clock.set_wall(t0 + quarter + 41'000'000);  // the meter's 10:15:11
    REQUIRE(h.run_until([&] { return !h.readings("profile:lp1", "kwh").empty(); }));
    const auto kwh = h.readings("profile:lp1", "kwh");
    REQUIRE(kwh.size() == 1);
    REQUIRE(kwh[0].ts_us == t0 + quarter);
    REQUIRE(kwh[0].quality == quality::good);
}
