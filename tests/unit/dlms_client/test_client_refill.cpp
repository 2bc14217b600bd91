// Gap refill: after an outage exactly the missing intervals are read, once each, flagged
// refilled; what the meter no longer holds is counted as lost; a batch not stored is read
// again from the unchanged pointer.
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "client_harness.hpp"

using namespace gridgate;
using namespace gridgate::dlms;
using namespace gridgate::dlms::testing;

namespace {

constexpr TimestampUs quarter = 15 * minute_us;
constexpr TimestampUs hour = 60 * minute_us;

ClientOptions with_profile(const Harness& h, std::optional<TimestampUs> stored) {
    ProfileOptions p;
    p.name = "lp1";
    p.channels = {ProfileChannel{kwh_obis, 2, "kwh", "kWh", 1.0}};
    p.last_stored_end_us = stored;
    auto o = h.fast_options();
    o.profiles = {p};
    return o;
}

std::vector<TimestampUs> stored_times(const Harness& h, std::size_t from_batch = 0) {
    std::vector<TimestampUs> out;
    for (std::size_t i = from_batch; i < h.batches.size(); ++i)
        for (const auto& r : h.batches[i].readings) out.push_back(r.ts_us);
    return out;
}

}  // namespace

TEST_CASE("gap refill: the intervals missed while the meter was unreachable, once each", "[dlms][client][refill]") {
    Harness h;
    h.meter.record(t0 - 24 * hour + quarter, t0);
    h.clock.set_wall(t0 + 10'000'000);
    h.start(with_profile(h, t0));
    // Up to date at start: one empty range, no oldest-entry question (nothing is due yet).
    REQUIRE(h.run_until([&] { return h.meter.count("GET-RANGE") == 1; }));
    h.run_for(20ms);
    REQUIRE(h.batches.empty());
    REQUIRE(h.meter.count("GET-ENTRY") == 0);

    // The line is down for an hour while the meter records four intervals.
    h.line.down = true;
    h.meter.record(t0 + quarter, t0 + hour);
    h.clock.set_wall(t0 + hour + 10'000'000);
    REQUIRE(h.run_until([&] { return h.count_events("dlms_comm_lost") == 1; }));
    h.line.down = false;
    REQUIRE(h.run_until([&] { return h.batches.size() == 1; }));
    REQUIRE(h.run_until([&] { return h.count_events("dlms_comm_restored") == 1; }));
    const auto got = stored_times(h);
    REQUIRE(got == std::vector<TimestampUs>{t0 + quarter, t0 + 2 * quarter, t0 + 3 * quarter, t0 + hour});
    for (const auto& r : h.batches[0].readings)
        REQUIRE(((r.quality & quality::refilled) != 0) == (r.ts_us < t0 + hour));
    REQUIRE(h.run_until([&] { return h.count_events("dlms_profile_refilled") == 1; }));
    const auto* e = h.last_event("dlms_profile_refilled");
    REQUIRE(e->detail_json.find("\"intervals\":3") != std::string::npos);
    REQUIRE(e->detail_json.find("\"from\":\"2026-03-02T10:15:00") != std::string::npos);
    REQUIRE(e->detail_json.find("\"to\":\"2026-03-02T10:45:00") != std::string::npos);
    REQUIRE(e->detail_json.find("\"lost\":0") != std::string::npos);
    REQUIRE(h.stats().profiles.at(0).refilled == 3);

    // The next regular read brings only the new interval.
    h.meter.record(t0 + hour + quarter, t0 + hour + quarter);
    h.clock.set_wall(t0 + hour + quarter + 10'000'000);
    REQUIRE(h.run_until([&] { return h.batches.size() == 2; }));
    REQUIRE(stored_times(h, 1) == std::vector<TimestampUs>{t0 + hour + quarter});
    REQUIRE(h.count_events("dlms_profile_refilled") == 1);
    REQUIRE(h.run_until([&] { return h.stats().profiles.at(0).intervals == 5; }));
}

TEST_CASE("refill: intervals beyond the meter's retention are counted as lost", "[dlms][client][refill]") {
    Harness h;
    h.meter.capacity = 96;  // one day of quarters
    h.meter.record(t0 - 48 * hour + quarter, t0);
    const TimestampUs oldest = t0 - 24 * hour + quarter;
    const TimestampUs pointer = t0 - 40 * hour;
    h.clock.set_wall(t0 + 10'000'000);
    h.start(with_profile(h, pointer));
    REQUIRE(h.run_until([&] { return h.stats().profiles.at(0).last_end_us == t0; }));
    REQUIRE(h.meter.count("GET-ENTRY 1 1") == 1);
    REQUIRE(h.count_events("dlms_profile_lost") == 1);
    const auto* lost = h.last_event("dlms_profile_lost");
    const std::uint64_t expected = static_cast<std::uint64_t>((oldest - pointer) / quarter - 1);
    REQUIRE(expected == 64);
    REQUIRE(lost->detail_json.find("\"intervals\":64") != std::string::npos);
    REQUIRE(lost->detail_json.find("\"from\":\"" + format_iso8601_utc(pointer + quarter) + "\"") != std::string::npos);
    REQUIRE(lost->detail_json.find("\"to\":\"" + format_iso8601_utc(oldest - quarter) + "\"") != std::string::npos);
    // Everything the meter still has, once each, in order.
    const auto got = stored_times(h);
    REQUIRE(got.size() == 96);
    REQUIRE(got.front() == oldest);
    REQUIRE(std::set<TimestampUs>(got.begin(), got.end()).size() == 96);
    const auto s = h.stats();
    REQUIRE(s.profiles.at(0).lost == 64);
    REQUIRE(s.profiles.at(0).intervals == 96);
    REQUIRE(h.run_until([&] { return h.count_events("dlms_profile_refilled") == 1; }));
    REQUIRE(h.last_event("dlms_profile_refilled")->detail_json.find("\"lost\":64") != std::string::npos);
}

TEST_CASE("refill: a hole in the meter's records is not a loss", "[dlms][client][refill]") {
    Harness h;
    h.meter.record(t0 - 24 * hour + quarter, t0 - 3 * hour);  // the meter was off for two hours
    h.meter.record(t0 - hour + quarter, t0);
    h.clock.set_wall(t0 + 10'000'000);
    h.start(with_profile(h, t0 - 3 * hour));
    REQUIRE(h.run_until([&] { return h.stats().profiles.at(0).last_end_us == t0; }));
    REQUIRE(stored_times(h) == std::vector<TimestampUs>{t0 - 3 * quarter, t0 - 2 * quarter, t0 - quarter, t0});
    REQUIRE(h.meter.count("GET-ENTRY 1 1") == 1);
    REQUIRE(h.count_events("dlms_profile_lost") == 0);
}

TEST_CASE("refill: a batch not stored is read again from the unchanged pointer", "[dlms][client][refill]") {
    Harness h;
    h.meter.record(t0 - 24 * hour + quarter, t0);
    h.clock.set_wall(t0 + 10'000'000);
    h.store_result = false;
    h.start(with_profile(h, t0 - hour));
    REQUIRE(h.run_until([&] { return h.batches.size() == 1; }));
    h.store_result = true;
    REQUIRE(h.run_until([&] { return h.batches.size() == 2; }));
    REQUIRE(h.meter.ranges.size() >= 2);
    REQUIRE(h.meter.ranges[0].first == t0 - hour + 1'000'000);
    REQUIRE(h.meter.ranges[1].first == t0 - hour + 1'000'000);
    REQUIRE(h.batches[1].readings == h.batches[0].readings);
    REQUIRE(h.run_until([&] { return h.stats().profiles.at(0).last_end_us == t0; }));
    REQUIRE(h.stats().profiles.at(0).intervals == 4);  // only what was stored counts

    // What was stored is never delivered again.
    h.meter.record(t0 + quarter, t0 + quarter);
    h.clock.set_wall(t0 + quarter + 10'000'000);
    REQUIRE(h.run_until([&] { return h.batches.size() == 3; }));
    const auto stored = stored_times(h, 1);
    REQUIRE(stored == std::vector<TimestampUs>{t0 - 3 * quarter, t0 - 2 * quarter, t0 - quarter, t0, t0 + quarter});
    REQUIRE(h.count_events("dlms_comm_lost") == 0);
}

TEST_CASE("refill: a done() from another thread is taken on the line's executor", "[dlms][client][refill]") {
    Harness h;
    h.auto_store = false;
    h.meter.record(t0 - hour + quarter, t0);
    h.clock.set_wall(t0 + 10'000'000);
    h.start(with_profile(h, t0 - hour));
    REQUIRE(h.run_until([&] { return h.batches.size() == 1; }));
    std::thread other([done = h.dones.at(0)] { done(true); });
    other.join();
    REQUIRE(h.run_until([&] { return h.stats().profiles.at(0).last_end_us == t0; }));
}
