// The load profile recorder: history, retention, values from the load model, statuses
// (midnight, queued bits, power outage, time sets), the meter clock's drift.
#include <cmath>
#include <set>

#include "dlms_server_harness.hpp"
#include "gridgate/sim/load_model.hpp"

using namespace gridgate;
using namespace gridgate::sim;
using namespace gridgate::sim::test;
using dlms::Data;
namespace status = dlms::interval_status;

namespace {

void check_strictly_increasing(const std::vector<DlmsServer::ProfileRow>& rows) {
    for (std::size_t i = 1; i < rows.size(); ++i) {
        INFO("row " << i);
        CHECK(rows[i].end_us > rows[i - 1].end_us);
    }
}

const DlmsServer::ProfileRow* row_at(const std::vector<DlmsServer::ProfileRow>& rows, TimestampUs end) {
    for (const auto& r : rows)
        if (r.end_us == end) return &r;
    return nullptr;
}

}  // namespace

TEST_CASE("sim dlms: a week of 15-minute history at start", "[sim_dlms][profile]") {
    const TimestampUs start = utc_us(2026, 6, 10, 12, 7, 30);
    Harness h({}, start);
    const auto rows = h.server.profile();
    REQUIRE(rows.size() == 7 * 96);
    CHECK(rows.back().end_us == utc_us(2026, 6, 10, 12, 0, 0));
    CHECK(rows.front().end_us == utc_us(2026, 6, 3, 12, 15, 0));
    for (std::size_t i = 1; i < rows.size(); ++i) REQUIRE(rows[i].end_us - rows[i - 1].end_us == 15 * minute_us);
    for (const auto& r : rows) {
        REQUIRE(r.values.size() == 6);
        CHECK(r.values[0] > 0);      // Wh delivered
        CHECK(r.values[1] == 0);     // nothing received
        CHECK(r.values[5] == 256);   // system status word
    }
    CHECK(h.server.profile_channels().size() == 6);
    CHECK(h.server.profile_channels()[0] == obis("1.0.1.29.0.255"));

    h.associate_ok(2, "ClientId2");
    CHECK(h.get_ok(7, dlms::obis::load_profile_1, 7) == Data::double_long_unsigned(672));
    CHECK(h.get_ok(7, dlms::obis::load_profile_1, 8) == Data::double_long_unsigned(78624));
    CHECK(h.get_ok(7, dlms::obis::load_profile_1, 4) == Data::double_long_unsigned(900));
    CHECK(h.get_ok(7, dlms::obis::load_profile_1, 5) == Data::enumeration(1));
    CHECK(h.get_ok(7, dlms::obis::load_profile_1, 6) == Data::structure({}));
}

TEST_CASE("sim dlms: capture objects as the manual's worked example", "[sim_dlms][profile]") {
    Harness h;
    h.associate_ok(1, "ClientId1");
    const auto capture = dlms::parse_capture_objects(h.get_ok(7, dlms::obis::load_profile_1, 3));
    REQUIRE(capture);
    const auto& c = *capture.value;
    REQUIRE(c.size() == 8);
    CHECK(c[0] == dlms::CaptureObject{8, dlms::obis::clock, 2, 0});
    CHECK(c[1] == dlms::CaptureObject{1, obis("0.0.96.10.1.255"), 2, 0});
    CHECK(c[2] == dlms::CaptureObject{3, obis("1.0.1.29.0.255"), 2, 0});
    CHECK(c[3] == dlms::CaptureObject{3, obis("1.0.2.29.0.255"), 2, 0});
    CHECK(c[4] == dlms::CaptureObject{3, obis("1.0.3.29.0.255"), 2, 0});
    CHECK(c[5] == dlms::CaptureObject{3, obis("1.0.4.29.0.255"), 2, 0});
    CHECK(c[6] == dlms::CaptureObject{3, obis("1.0.191.27.0.255"), 2, 0});
    CHECK(c[7] == dlms::CaptureObject{3, obis("1.0.192.27.0.255"), 2, 0});
    const auto layout = dlms::find_layout(c);
    CHECK(layout.clock_column == 0u);
    CHECK(layout.status_column == 1u);
}

TEST_CASE("sim dlms: interval values are the integrated load, the same for every start", "[sim_dlms][profile]") {
    DlmsServerOptions options;
    options.seed = 9;
    options.history = std::chrono::hours(6);
    Harness a(options, utc_us(2026, 6, 10, 12, 0, 0));
    Harness b(options, utc_us(2026, 6, 10, 15, 3, 0));
    const TimestampUs end = utc_us(2026, 6, 10, 11, 30, 0);
    const auto rows_a = a.server.profile();
    const auto rows_b = b.server.profile();
    const auto* ra = row_at(rows_a, end);
    const auto* rb = row_at(rows_b, end);
    REQUIRE(ra);
    REQUIRE(rb);
    CHECK(ra->values == rb->values);
    // Wh of the interval on the meter's 10-second grid, and varh alike.
    const LoadModel model(LoadParams::from_seed(9));
    double wh = 0, varh = 0;
    for (TimestampUs t = end - 15 * minute_us; t < end; t += 10'000'000) {
        const Instant inst = model.at(t / 1'000'000);
        wh += inst.watts_total * 10 / 3600.0;
        varh += inst.vars_total * 10 / 3600.0;
    }
    CHECK(ra->values[0] == Approx(wh).epsilon(1e-6));
    CHECK(ra->values[2] == Approx(varh).epsilon(1e-6));
    CHECK(ra->values[0] == static_cast<double>(static_cast<float>(ra->values[0])));  // float32 as sent
}

TEST_CASE("sim dlms: retention drops the oldest entries", "[sim_dlms][profile]") {
    DlmsServerOptions options;
    options.profile_entries = 100;
    const TimestampUs start = utc_us(2026, 6, 10, 12, 0, 0);
    Harness h(options, start);
    auto rows = h.server.profile();
    REQUIRE(rows.size() == 100);
    CHECK(rows.back().end_us == start);
    CHECK(rows.front().end_us == start - 99 * 15 * minute_us);
    h.server.advance_to(start + hour_us + 1);
    rows = h.server.profile();
    REQUIRE(rows.size() == 100);
    CHECK(rows.back().end_us == start + hour_us);
    CHECK(rows.front().end_us == start - 95 * 15 * minute_us);
    h.associate_ok(1, "ClientId1");
    CHECK(h.get_ok(7, dlms::obis::load_profile_1, 7) == Data::double_long_unsigned(100));
    CHECK(h.get_ok(7, dlms::obis::load_profile_1, 8) == Data::double_long_unsigned(100));
}

TEST_CASE("sim dlms: ordinary, midnight and queued statuses", "[sim_dlms][profile]") {
    const TimestampUs start = utc_us(2026, 6, 10, 12, 0, 0);
    Harness h({}, start);  // UTC meter
    for (const auto& r : h.server.profile()) {
        const bool midnight = r.end_us % (24 * hour_us) == 0;
        INFO(format_iso8601_utc(r.end_us));
        CHECK(r.status == (midnight ? status::midnight : 0u));
    }
    h.server.add_next_status(status::test_mode);
    h.server.advance_to(start + 30 * minute_us);
    const auto rows = h.server.profile(start + 1);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].status == status::test_mode);
    CHECK(rows[1].status == 0);
}

TEST_CASE("sim dlms: midnight is the meter's local midnight", "[sim_dlms][profile]") {
    DlmsServerOptions options;
    options.zone = cet();  // summer: UTC+2
    options.history = std::chrono::hours(48);
    Harness h(options, utc_us(2026, 6, 10, 12, 0, 0));
    const auto rows = h.server.profile();
    const auto* local_midnight = row_at(rows, utc_us(2026, 6, 9, 22, 0, 0));
    REQUIRE(local_midnight);
    CHECK(local_midnight->status == status::midnight);
    const auto* utc_midnight = row_at(rows, utc_us(2026, 6, 10, 0, 0, 0));
    REQUIRE(utc_midnight);
    CHECK(utc_midnight->status == 0);
}

TEST_CASE("sim dlms: a power outage leaves a gap and a partial interval", "[sim_dlms][profile]") {
    const TimestampUs start = utc_us(2026, 6, 10, 10, 5, 0);
    Harness h({}, start);
    h.associate_ok(1, "ClientId1");
    h.server.power_outage(std::chrono::minutes(35), start);  // 10:05 .. 10:40
    // An unpowered meter does not answer and loses its association.
    h.now = start + 10 * minute_us;
    CHECK(h.send(dlms::encode_rlrq()).empty());
    CHECK_FALSE(h.association.associated);
    h.server.advance_to(start + 55 * minute_us);  // 11:00
    const auto rows = h.server.profile(utc_us(2026, 6, 10, 9, 0, 1));
    std::vector<TimestampUs> ends;
    for (const auto& r : rows) ends.push_back(r.end_us);
    CHECK(ends == std::vector<TimestampUs>{utc_us(2026, 6, 10, 9, 15), utc_us(2026, 6, 10, 9, 30),
                                           utc_us(2026, 6, 10, 9, 45), utc_us(2026, 6, 10, 10, 0),
                                           utc_us(2026, 6, 10, 10, 45), utc_us(2026, 6, 10, 11, 0)});
    const auto* partial = row_at(rows, utc_us(2026, 6, 10, 10, 45));
    const auto* full = row_at(rows, utc_us(2026, 6, 10, 11, 0));
    REQUIRE(partial);
    REQUIRE(full);
    CHECK(partial->status == status::power_outage);
    CHECK(full->status == 0);
    // Only the 5 powered minutes, 10:40..10:45, count.
    const LoadModel model(LoadParams::from_seed(1));
    double wh = 0;
    for (TimestampUs t = utc_us(2026, 6, 10, 10, 40); t < utc_us(2026, 6, 10, 10, 45); t += 10'000'000)
        wh += model.at(t / 1'000'000).watts_total * 10 / 3600.0;
    CHECK(partial->values[0] == Approx(wh).epsilon(1e-6));
    // Powered again: the meter answers.
    h.now = start + 56 * minute_us;
    h.associate_ok(1, "ClientId1");
}

TEST_CASE("sim dlms: the first interval after an outage at midnight is 6", "[sim_dlms][profile]") {
    const TimestampUs start = utc_us(2026, 6, 10, 23, 50, 0);
    Harness h({}, start);
    h.server.power_outage(std::chrono::minutes(5), start);
    h.server.advance_to(start + 11 * minute_us);
    const auto rows = h.server.profile(start);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].end_us == utc_us(2026, 6, 11, 0, 0, 0));
    CHECK(rows[0].status == (status::power_outage | status::midnight));
    CHECK(rows[0].status == 6);
}

TEST_CASE("sim dlms: the meter clock drifts and the profile follows it", "[sim_dlms][profile]") {
    DlmsServerOptions options;
    options.clock_drift_ppm = 100;
    options.clock_offset = std::chrono::seconds(30);
    const TimestampUs start = utc_us(2026, 6, 10, 12, 0, 0);
    Harness h(options, start);
    CHECK(h.server.meter_time(start) == start + 30'000'000);
    CHECK(h.server.meter_time(start + 10'000'000'000) == start + 10'000'000'000 + 30'000'000 + 1'000'000);
    // The meter's 12:15 comes 30 s (and a little drift) early on the system clock.
    h.server.advance_to(utc_us(2026, 6, 10, 12, 14, 29));
    CHECK(h.server.profile(start + 1).size() == 0);
    h.server.advance_to(utc_us(2026, 6, 10, 12, 14, 30));
    CHECK(h.server.profile(start + 1).size() == 1);
}

TEST_CASE("sim dlms: a forward clock step skips intervals and marks the next", "[sim_dlms][profile]") {
    const TimestampUs start = utc_us(2026, 6, 10, 10, 5, 0);
    Harness h({}, start);
    h.server.set_meter_time(start + 2 * hour_us, start);  // 12:05
    CHECK(h.server.stats().time_sets == 1);
    REQUIRE(h.events.size() == 1);
    CHECK(h.events[0].first == "dlms_time_set");
    CHECK(h.events[0].second == R"({"meter":"dlms1","step_ms":7200000})");
    h.server.advance_to(start + 40 * minute_us);  // meter 12:45
    const auto rows = h.server.profile(start);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].end_us == utc_us(2026, 6, 10, 12, 15));
    CHECK(rows[0].status == status::time_set);
    CHECK(rows[1].end_us == utc_us(2026, 6, 10, 12, 30));
    CHECK(rows[1].status == 0);
    check_strictly_increasing(h.server.profile());
}

TEST_CASE("sim dlms: a backward clock step never repeats an interval end", "[sim_dlms][profile]") {
    const TimestampUs start = utc_us(2026, 6, 10, 10, 20, 0);
    Harness h({}, start);
    h.server.advance_to(start + 15 * minute_us);  // 10:30 recorded
    h.server.shift_clock(-std::chrono::hours(1), start + 15 * minute_us);  // meter 09:35
    CHECK(h.server.stats().time_sets == 0);  // an operator's step, not a protocol set
    CHECK(h.events.empty());
    h.server.advance_to(start + 15 * minute_us + 85 * minute_us);  // meter 11:00
    const auto rows = h.server.profile(utc_us(2026, 6, 10, 10, 0));
    std::vector<TimestampUs> ends;
    for (const auto& r : rows) ends.push_back(r.end_us);
    CHECK(ends == std::vector<TimestampUs>{utc_us(2026, 6, 10, 10, 0), utc_us(2026, 6, 10, 10, 15),
                                           utc_us(2026, 6, 10, 10, 30), utc_us(2026, 6, 10, 10, 45),
                                           utc_us(2026, 6, 10, 11, 0)});
    CHECK(rows[3].status == status::time_set);
    CHECK(rows[4].status == 0);
    check_strictly_increasing(h.server.profile());
}

TEST_CASE("sim dlms: odd capture periods keep their grid", "[sim_dlms][profile]") {
    DlmsServerOptions options;
    options.capture_period = std::chrono::seconds(2);
    options.history = std::chrono::minutes(1);
    const TimestampUs start = utc_us(2026, 6, 10, 12, 0, 1);
    Harness h(options, start);
    const auto rows = h.server.profile();
    REQUIRE(rows.size() == 30);
    CHECK(rows.back().end_us == utc_us(2026, 6, 10, 12, 0, 0));
    for (const auto& r : rows) CHECK(r.end_us % 2'000'000 == 0);
}
