// The clock object: its attributes per deviation mode, SET of the time by client 1 only,
// and the profile around DST changes.
#include <set>

#include "dlms_server_harness.hpp"

using namespace gridgate;
using namespace gridgate::sim;
using namespace gridgate::sim::test;
using dlms::AccessResult;
using dlms::Data;
using Mode = DlmsServerOptions::DeviationMode;
namespace status = dlms::interval_status;

namespace {

dlms::CosemDateTime clock_time_of(const Data& d) {
    REQUIRE(d.tag == dlms::DataTag::octet_string);
    const auto t = dlms::decode_date_time(d.bytes);
    REQUIRE(t);
    return *t;
}

// Green Book: SET-Request-Normal of the clock's time: 2002-12-04 (Wednesday) 10:06:11,
// hundredths not specified, deviation 0x0078 (120), status 0.
const char* green_book_set_time =
    "C1 01 C1 00 08 00 00 01 00 00 FF 02 00 09 0C 07 D2 0C 04 03 0A 06 0B FF 00 78 00";

}  // namespace

TEST_CASE("sim dlms: the clock's time in each deviation mode", "[sim_dlms][clock]") {
    const TimestampUs start = utc_us(2026, 7, 1, 10, 30, 15) + 250'000;
    for (const Mode mode : {Mode::blue_book, Mode::iso, Mode::unspecified}) {
        DlmsServerOptions options;
        options.zone = cet();
        options.deviation = mode;
        Harness h(options, start);
        h.associate_ok(16);
        const auto t = clock_time_of(h.get_ok(8, dlms::obis::clock, 2));
        CHECK(t.year == 2026);
        CHECK(t.month == 7);
        CHECK(t.day == 1);
        CHECK(t.day_of_week == 3);  // Wednesday
        CHECK(t.hour == 12);        // CEST
        CHECK(t.minute == 30);
        CHECK(t.second == 15);
        CHECK(t.hundredths == 25);
        CHECK(t.dst());
        const std::int16_t expected = mode == Mode::blue_book ? -120 : mode == Mode::iso ? 120
                                                                                          : dlms::CosemDateTime::deviation_not_specified;
        CHECK(t.deviation == expected);
        const Data zone = h.get_ok(8, dlms::obis::clock, 3);
        CHECK(zone == Data::long16(mode == Mode::iso ? 60 : -60));
    }
}

TEST_CASE("sim dlms: clock attributes 3 to 9", "[sim_dlms][clock]") {
    DlmsServerOptions options;
    options.zone = cet();
    Harness h(options, utc_us(2026, 1, 15, 9, 0, 0));
    h.associate_ok(2, "ClientId2");
    CHECK(h.get_ok(8, dlms::obis::clock, 1) == Data::octet_string({0, 0, 1, 0, 0, 255}));
    CHECK(h.get_ok(8, dlms::obis::clock, 4) == Data::unsigned8(0));  // winter
    const auto begin = clock_time_of(h.get_ok(8, dlms::obis::clock, 5));
    CHECK(begin.year == 0xFFFF);
    CHECK(begin.month == 3);
    CHECK(begin.day == 0xFE);        // the last ..
    CHECK(begin.day_of_week == 7);   // .. Sunday
    CHECK(begin.hour == 2);          // 01:00 UTC in CET
    const auto end = clock_time_of(h.get_ok(8, dlms::obis::clock, 6));
    CHECK(end.month == 10);
    CHECK(end.day == 0xFE);
    CHECK(end.hour == 3);            // 01:00 UTC in CEST
    CHECK(h.get_ok(8, dlms::obis::clock, 7) == Data::integer8(60));
    CHECK(h.get_ok(8, dlms::obis::clock, 8) == Data::boolean(true));
    CHECK(h.get_ok(8, dlms::obis::clock, 9) == Data::enumeration(1));

    Harness utc;
    utc.associate_ok(2, "ClientId2");
    CHECK(utc.get_ok(8, dlms::obis::clock, 8) == Data::boolean(false));
    CHECK(utc.get_ok(8, dlms::obis::clock, 3) == Data::long16(0));
}

TEST_CASE("sim dlms: the Green Book time set by client 1", "[sim_dlms][clock]") {
    const TimestampUs start = utc_us(2026, 6, 10, 12, 0, 0);
    Harness h({}, start);
    h.associate_ok(1, "ClientId1");
    h.events.clear();
    const auto reply = h.send(hex(green_book_set_time));
    CHECK(reply == hex("C5 01 C1 00"));
    // Blue Book deviation: UTC = local + 120 minutes.
    const TimestampUs set_to = utc_us(2002, 12, 4, 12, 6, 11);
    CHECK(h.server.meter_time(start) == set_to);
    CHECK(h.server.meter_time(start + 5'000'000) == set_to + 5'000'000);
    CHECK(h.server.stats().time_sets == 1);
    REQUIRE(h.events.size() == 1);
    CHECK(h.events[0].first == "dlms_time_set");
    CHECK(h.events[0].second == "{\"meter\":\"dlms1\",\"step_ms\":" + std::to_string((set_to - start) / 1000) + "}");
    // Reading it back.
    const auto t = clock_time_of(h.get_ok(8, dlms::obis::clock, 2));
    CHECK(dlms::to_utc_us(t) == set_to);
}

TEST_CASE("sim dlms: a time without deviation is the meter's local time", "[sim_dlms][clock]") {
    DlmsServerOptions options;
    options.zone = cet();
    const TimestampUs start = utc_us(2026, 6, 10, 12, 0, 0);
    Harness h(options, start);
    h.associate_ok(1, "ClientId1");
    dlms::CosemDateTime t = dlms::from_utc_us(start + 90'000'000, options.zone);
    t.deviation = dlms::CosemDateTime::deviation_not_specified;
    t.status = dlms::clock_status::not_specified;
    const auto octets = dlms::encode_date_time(t);
    CHECK(h.set(8, dlms::obis::clock, 2, Data::octet_string({octets.begin(), octets.end()})) == AccessResult::success);
    CHECK(h.server.meter_time(start) == start + 90'000'000);
}

TEST_CASE("sim dlms: only client 1 sets the time, and only the time", "[sim_dlms][clock]") {
    const TimestampUs start = utc_us(2026, 6, 10, 12, 0, 0);
    const auto octets = dlms::encode_date_time(dlms::from_utc_us(start + hour_us, dlms::LocalZone{}));
    const Data new_time = Data::octet_string({octets.begin(), octets.end()});
    for (const auto& [client, password] : std::vector<std::pair<std::uint16_t, std::string>>{{2, "ClientId2"}, {16, ""}}) {
        INFO("client " << client);
        Harness h({}, start);
        h.associate_ok(client, password);
        CHECK(h.set(8, dlms::obis::clock, 2, new_time) == AccessResult::read_write_denied);
        CHECK(h.server.meter_time(start) == start);
        CHECK(h.server.stats().denied == 1);
        CHECK(h.server.stats().time_sets == 0);
    }
    Harness h({}, start);
    h.associate_ok(1, "ClientId1");
    CHECK(h.set(8, dlms::obis::clock, 3, Data::long16(0)) == AccessResult::read_write_denied);
    CHECK(h.set(3, obis("1.0.1.8.0.255"), 2, Data::double_long_unsigned(0)) == AccessResult::read_write_denied);
    CHECK(h.set(1, obis("0.0.96.11.0.255"), 2, Data::visible_string("X")) == AccessResult::read_write_denied);
    CHECK(h.server.stats().denied == 3);
    CHECK(h.set(1, obis("0.0.96.1.0.255"), 2, Data::visible_string("X")) == AccessResult::object_undefined);
    CHECK(h.set(3, dlms::obis::clock, 2, new_time) == AccessResult::object_class_inconsistent);
    CHECK(h.set(8, dlms::obis::clock, 2, Data::visible_string("2026-06-10")) == AccessResult::type_unmatched);
    CHECK(h.set(8, dlms::obis::clock, 2, Data::octet_string({1, 2, 3})) == AccessResult::type_unmatched);
    const auto wildcard = dlms::encode_date_time(dlms::CosemDateTime{});
    CHECK(h.set(8, dlms::obis::clock, 2, Data::octet_string({wildcard.begin(), wildcard.end()})) ==
          AccessResult::other_reason);
    CHECK(h.server.meter_time(start) == start);
    CHECK(h.set(8, dlms::obis::clock, 2, new_time) == AccessResult::success);
    CHECK(h.server.meter_time(start) == start + hour_us);
}

TEST_CASE("sim dlms: the clock's drift shows in its time", "[sim_dlms][clock]") {
    DlmsServerOptions options;
    options.clock_drift_ppm = 50;
    const TimestampUs start = utc_us(2026, 6, 10, 12, 0, 0);
    Harness h(options, start);
    h.associate_ok(16);
    h.now = start + 20'000'000'000;  // 20 000 s: 1 s fast
    CHECK(dlms::to_utc_us(clock_time_of(h.get_ok(8, dlms::obis::clock, 2))) == h.now + 1'000'000);
}

TEST_CASE("sim dlms: the EU fall-back day has 25 hourly entries", "[sim_dlms][clock][dst]") {
    DlmsServerOptions options;
    options.zone = cet();
    options.capture_period = std::chrono::minutes(60);
    options.history = std::chrono::hours(72);
    Harness h(options, utc_us(2026, 10, 26, 12, 0, 0));
    h.associate_ok(2, "ClientId2");
    // The local day 2026-10-25: after 00:00 CEST (22:00 UTC the day before) up to 00:00 CET.
    const auto rows = h.server.profile(utc_us(2026, 10, 24, 22, 0, 1), utc_us(2026, 10, 25, 23, 0, 0));
    REQUIRE(rows.size() == 25);
    for (std::size_t i = 0; i < rows.size(); ++i) CHECK(rows[i].end_us == utc_us(2026, 10, 24, 23, 0, 0) + static_cast<std::int64_t>(i) * hour_us);

    // Over the wire, selected by local date-times without deviation.
    dlms::CosemDateTime from{2026, 10, 25, 0xFF, 0, 0, 1, 0};
    dlms::CosemDateTime to{2026, 10, 26, 0xFF, 0, 0, 0, 0};
    const auto entries = decode_buffer(h.get_ok(7, dlms::obis::load_profile_1, 2, dlms::range_descriptor(from, to)), options);
    REQUIRE(entries.size() == 25);
    std::set<TimestampUs> distinct;
    for (const auto& e : entries) distinct.insert(e.end_us);
    CHECK(distinct.size() == 25);
    // 01:00 and 02:00 in summer time, 02:00 again in winter time, then 03:00 ...
    CHECK(entries[0].time.hour == 1);
    CHECK(entries[0].time.deviation == -120);
    CHECK(entries[0].time.dst());
    CHECK(entries[1].time.hour == 2);
    CHECK(entries[1].time.deviation == -120);
    CHECK(entries[1].time.dst());
    CHECK(entries[2].time.hour == 2);
    CHECK(entries[2].time.deviation == -60);
    CHECK_FALSE(entries[2].time.dst());
    CHECK(entries[3].time.hour == 3);
    CHECK(entries[24].time.hour == 0);
    CHECK(entries[24].time.day == 26);
    // The interval over the change is marked; local midnight closes the day.
    CHECK(*entries[2].status == status::dst_change);
    CHECK(*entries[1].status == 0);
    CHECK(*entries[3].status == 0);
    CHECK(*entries[24].status == status::midnight);
}

TEST_CASE("sim dlms: the EU spring-forward day has 23 hourly entries", "[sim_dlms][clock][dst]") {
    DlmsServerOptions options;
    options.zone = cet();
    options.capture_period = std::chrono::minutes(60);
    options.history = std::chrono::hours(72);
    Harness h(options, utc_us(2026, 3, 30, 12, 0, 0));
    const auto rows = h.server.profile(utc_us(2026, 3, 28, 23, 0, 1), utc_us(2026, 3, 29, 22, 0, 0));
    REQUIRE(rows.size() == 23);
    h.associate_ok(2, "ClientId2");
    const auto entries = decode_buffer(
        h.get_ok(7, dlms::obis::load_profile_1, 2,
                 dlms::range_descriptor(dlms::from_utc_us(rows.front().end_us, options.zone),
                                        dlms::from_utc_us(rows.back().end_us, options.zone))),
        options);
    REQUIRE(entries.size() == 23);
    CHECK(entries[0].time.hour == 1);
    CHECK_FALSE(entries[0].time.dst());
    CHECK(entries[1].time.hour == 3);  // 02:00 does not exist
    CHECK(entries[1].time.deviation == -120);
    CHECK(entries[1].time.dst());
    CHECK(*entries[1].status == status::dst_change);
    CHECK(entries[22].time.hour == 0);
    CHECK(*entries[22].status == status::midnight);
}

TEST_CASE("sim dlms: 15-minute intervals over the fall-back and daily ones over both changes", "[sim_dlms][clock][dst]") {
    DlmsServerOptions options;
    options.zone = cet();
    options.history = std::chrono::hours(72);
    Harness quarter(options, utc_us(2026, 10, 26, 12, 0, 0));
    CHECK(quarter.server.profile(utc_us(2026, 10, 24, 22, 0, 1), utc_us(2026, 10, 25, 23, 0, 0)).size() == 100);

    options.capture_period = std::chrono::hours(24);
    options.history = std::chrono::hours(24 * 10);
    Harness daily(options, utc_us(2026, 10, 30, 12, 0, 0));
    const auto rows = daily.server.profile();
    REQUIRE(rows.size() == 10);
    for (const auto& r : rows) {
        INFO(format_iso8601_utc(r.end_us));
        const bool summer = r.end_us <= utc_us(2026, 10, 24, 22, 0, 0);
        CHECK(r.end_us % (24 * hour_us) == (summer ? 22 : 23) * hour_us);
        CHECK((r.status & status::midnight) != 0);
    }
}
