// The meter's clock: offset measured against the midpoint of the exchange, set when off
// by more than the tolerance (as local time with the meter's deviation), read back, never
// near a capture boundary, and not again after the meter refused it.
#include <catch2/catch.hpp>

#include "client_harness.hpp"

using namespace gridgate;
using namespace gridgate::dlms;
using namespace gridgate::dlms::testing;

namespace {

const LocalZone cet{60, DstRule::eu, 60};

ClientOptions clock_options(const Harness& h) {
    auto o = h.fast_options();
    o.clock_check_period = 10s;  // once at start in these tests
    return o;
}

ClientOptions writer(ClientOptions o) {
    o.client_sap = 1;
    o.password = "ClientId1";
    o.clock_set = true;
    return o;
}

}  // namespace

TEST_CASE("clock check: offset against the midpoint of request and answer", "[dlms][client][clock]") {
    Harness h;
    h.meter.zone = cet;
    h.meter.clock_offset_us = 5'000'000;
    SECTION("instant answer") {
        h.start(clock_options(h));
        REQUIRE(h.run_until([&] { return h.count_events("dlms_time_checked") == 1; }));
        REQUIRE(h.stats().last_offset_ms == 5000);
        REQUIRE(h.last_event("dlms_time_checked")->detail_json ==
                "{\"offset_ms\":5000,\"tolerance_ms\":2000,\"beyond_tolerance\":true}");
    }
    SECTION("the meter reads its clock as the request arrives; the answer takes 40 ms") {
        h.meter.answer_delay = 40ms;  // the gateway's clock moves 40 ms before each answer arrives
        h.start(clock_options(h));
        REQUIRE(h.run_until([&] { return h.count_events("dlms_time_checked") == 1; }));
        REQUIRE(h.stats().last_offset_ms == 4980);
    }
    SECTION("without clock_set nothing is written") {
        h.start(clock_options(h));
        REQUIRE(h.run_until([&] { return h.count_events("dlms_time_checked") == 1; }));
        h.run_for(50ms);
        REQUIRE(h.meter.count("SET") == 0);
    }
}

TEST_CASE("clock set: local time with the meter's deviation, read back", "[dlms][client][clock]") {
    Harness h;
    h.meter.zone = cet;  // March: CET, deviation -60, no DST
    h.meter.clock_offset_us = -7'250'000;
    h.meter.answer_delay = 10ms;
    h.start(writer(clock_options(h)));
    REQUIRE(h.run_until([&] { return h.count_events("dlms_time_set") == 1; }));
    REQUIRE(h.meter.count("SET 8/0.0.1.0.0.255/2") == 1);
    REQUIRE(h.meter.last_set_time);
    REQUIRE(h.meter.last_set_time->deviation == -60);
    REQUIRE(h.meter.last_set_time->status == 0x00);
    REQUIRE(h.meter.last_set_time->hour == 11);  // 10:00 UTC is 11:00 CET
    // The value was our time plus the one-way delay: the meter's clock is now right.
    REQUIRE(std::llabs(h.meter.clock_offset_us) <= 10'000);  // the date-time's resolution
    const auto* e = h.last_event("dlms_time_set");
    REQUIRE(e->detail_json.find("\"offset_before_ms\":-7255") != std::string::npos);
    REQUIRE(e->detail_json.find("\"offset_after_ms\":") != std::string::npos);
    REQUIRE(h.stats().time_sets == 1);
    const auto after = h.stats().last_offset_ms;
    REQUIRE(after);
    REQUIRE(std::llabs(*after) <= 10);
}

TEST_CASE("clock set refused: an event, and no further automatic set this association", "[dlms][client][clock]") {
    Harness h;
    h.meter.clock_offset_us = 9'000'000;
    auto o = writer(clock_options(h));
    o.client_sap = 2;  // read-only client: the meter refuses the write
    o.password = "ClientId2";
    o.clock_check_period = 30ms;
    h.start(o);
    REQUIRE(h.run_until([&] { return h.count_events("dlms_time_set_failed") == 1; }));
    REQUIRE(h.last_event("dlms_time_set_failed")->detail_json.find("read-write-denied") != std::string::npos);
    REQUIRE(h.run_until([&] { return h.count_events("dlms_time_checked") >= 4; }));
    REQUIRE(h.meter.count("SET") == 1);
    REQUIRE(h.count_events("dlms_time_set_failed") == 1);
    REQUIRE(h.stats().time_sets == 0);
}

TEST_CASE("clock set on request, regardless of tolerance", "[dlms][client][clock]") {
    Harness h;
    h.meter.clock_offset_us = 300'000;  // within the 2 s tolerance
    h.start(writer(clock_options(h)));
    REQUIRE(h.run_until([&] { return h.count_events("dlms_time_checked") == 1; }));
    h.run_for(30ms);
    REQUIRE(h.meter.count("SET") == 0);
    h.session->request_clock_set();
    REQUIRE(h.run_until([&] { return h.count_events("dlms_time_set") == 1; }));
    REQUIRE(h.last_event("dlms_time_set")->detail_json.find("\"reason\":\"request\"") != std::string::npos);
}

TEST_CASE("clock set waits until the capture-boundary guard has passed", "[dlms][client][clock]") {
    Harness h;
    h.clock.set_wall(t0 + 15 * minute_us - 10'000'000);  // 10 s before a quarter-hour boundary
    h.meter.clock_offset_us = 4'000'000;
    auto o = writer(clock_options(h));
    o.clock_guard = 30s;
    ProfileOptions p;
    p.name = "lp1";
    p.channels = {ProfileChannel{kwh_obis, 2, "kwh", "kWh", 1.0}};
    p.last_stored_end_us = t0 + 15 * minute_us;  // nothing to read yet
    o.profiles = {p};
    h.start(o);
    REQUIRE(h.run_until([&] { return h.meter.count("GET-RANGE") == 1; }));  // the period is known
    REQUIRE(h.run_until([&] { return h.count_events("dlms_time_checked") == 1; }));
    h.run_for(60ms);
    REQUIRE(h.meter.count("SET") == 0);
    h.clock.advance(25s);  // 15 s after the boundary: still inside the guard
    h.run_for(40ms);
    REQUIRE(h.meter.count("SET") == 0);
    h.clock.advance(20s);  // 35 s after it
    REQUIRE(h.run_until([&] { return h.count_events("dlms_time_set") == 1; }));
    REQUIRE(h.meter.count("SET") == 1);
}

TEST_CASE("clock set needs SET in the conformance the meter granted", "[dlms][client][clock]") {
    Harness h;
    h.meter.conformance &= ~conformance::set;
    h.meter.clock_offset_us = 9'000'000;
    h.start(writer(clock_options(h)));
    REQUIRE(h.run_until([&] { return h.count_events("dlms_time_set_failed") == 1; }));
    REQUIRE(h.last_event("dlms_time_set_failed")->detail_json.find("set-not-granted") != std::string::npos);
    REQUIRE(h.meter.count("SET") == 0);
}
