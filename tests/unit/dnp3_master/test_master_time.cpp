// MasterSession time handling: offset measurement, the LAN and non-LAN time-set
// procedures with the written times checked against a FakeClock.
#include <catch2/catch.hpp>

#include "master_harness.hpp"

using namespace gridgate;
using namespace gridgate::dnp3;
using namespace gridgate::dnp3::testing;

namespace {

const char* time_read = "READ g50v1";

DnpTime written_time(const Received& r) {
    REQUIRE(r.request.objects.size() == 1);
    REQUIRE(r.request.objects[0].time.has_value());
    return *r.request.objects[0].time;
}

}  // namespace

TEST_CASE("NEED_TIME with the LAN procedure: RECORD_CURRENT_TIME, then WRITE g50v3 with the time it left") {
    Harness h;
    auto o = Harness::fast_options();
    o.time_sync = TimeSyncMode::lan;
    h.outstation.iin.bits = Iin::need_time;
    h.outstation.meter_offset_ms = 5000;
    // RECORD_CURRENT_TIME takes 25 ms to reach the meter: the LAN procedure cannot see
    // that, so the meter ends 25 ms behind.
    h.outstation.on_request = [&](const Request& r) {
        if (r.function == FunctionCode::record_current_time) h.clock.advance(std::chrono::milliseconds(25));
        return false;
    };
    h.start(o);
    REQUIRE(h.run_until([&] { return h.count_events("dnp3_time_set") == 1 && !h.line.held(); }));
    CHECK(h.outstation.whats() ==
          std::vector<std::string>{integrity_read, time_read, "RECORD_CURRENT_TIME", "WRITE g50v3", time_read});
    const auto& record = h.outstation.journal[2];
    CHECK(written_time(h.outstation.journal[3]) == static_cast<DnpTime>(record.gateway_time_us / 1000));
    const auto* e = h.last_event("dnp3_time_set");
    CHECK(e->detail_json ==
          R"({"procedure":"lan","offset_before_ms":5000,"offset_after_ms":-25,"reason":"need_time","result":"ok"})");
    const auto s = h.session->stats();
    CHECK(s.time_sets == 1);
    CHECK(s.last_offset_ms == -25);
    CHECK(s.last_time_set_us == h.clock.now_utc_us());
    // NEED_TIME is gone: no second set.
    h.session->request_integrity();
    REQUIRE(h.run_until([&] { return h.outstation.count(integrity_read) == 2 && !h.line.held(); }));
    h.run_for(40ms);
    CHECK(h.outstation.count("WRITE") == 1);
    REQUIRE(h.stop());
}

TEST_CASE("NEED_TIME with the non-LAN procedure: DELAY_MEASURE, then WRITE g50v1 corrected by the delay") {
    Harness h;
    auto o = Harness::fast_options();
    o.time_sync = TimeSyncMode::non_lan;
    h.outstation.iin.bits = Iin::need_time;
    h.outstation.meter_offset_ms = -7000;
    h.outstation.delay_measure_round_trip = std::chrono::milliseconds(40);
    h.outstation.processing_delay_ms = 10;
    h.start(o);
    REQUIRE(h.run_until([&] { return h.count_events("dnp3_time_set") == 1 && !h.line.held(); }));
    CHECK(h.outstation.whats() ==
          std::vector<std::string>{integrity_read, time_read, "DELAY_MEASURE", "WRITE g50v1", time_read});
    // One way = (40 ms round trip - 10 ms in the outstation) / 2 = 15 ms.
    const auto& write = h.outstation.journal[3];
    CHECK(written_time(write) == static_cast<DnpTime>(write.gateway_time_us / 1000 + 15));
    const auto* e = h.last_event("dnp3_time_set");
    CHECK(e->detail_json == R"({"procedure":"non_lan","offset_before_ms":-7000,"offset_after_ms":15,)"
                            R"("reason":"need_time","result":"ok"})");
    REQUIRE(h.stop());
}

TEST_CASE("the offset is measured against the midpoint of request and answer") {
    Harness h;
    h.outstation.meter_offset_ms = 2000;
    h.outstation.on_request = [&](const Request& r) {
        // The answer comes 100 ms after the request left; the meter read its clock then.
        if (r.function == FunctionCode::read && r.objects.at(0).header.group == 50)
            h.clock.advance(std::chrono::milliseconds(100));
        return false;
    };
    h.start();
    REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
    h.session->request_time_check();
    REQUIRE(h.run_until([&] { return h.count_events("dnp3_time_checked") == 1 && !h.line.held(); }));
    CHECK(h.session->stats().last_offset_ms == 2050);
    CHECK(h.session->stats().last_offset_at_us == h.clock.now_utc_us());
    CHECK(h.last_event("dnp3_time_checked")->detail_json ==
          R"({"offset_ms":2050,"tolerance_ms":1000,"beyond_tolerance":true})");
    h.run_for(40ms);
    CHECK(h.outstation.count("WRITE") == 0);  // time_sync none: measured, never set
    REQUIRE(h.stop());
}

TEST_CASE("time checks: a set when the offset is beyond tolerance, none within") {
    Harness h;
    auto o = Harness::fast_options();
    o.time_sync = TimeSyncMode::lan;
    o.time_tolerance = std::chrono::seconds(1);
    SECTION("beyond") {
        h.outstation.meter_offset_ms = -3000;
        h.start(o);
        REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
        h.session->request_time_check();
        REQUIRE(h.run_until([&] { return h.count_events("dnp3_time_set") == 1 && !h.line.held(); }));
        CHECK(h.outstation.whats() == std::vector<std::string>{integrity_read, time_read, time_read,
                                                               "RECORD_CURRENT_TIME", "WRITE g50v3", time_read});
        CHECK(h.last_event("dnp3_time_set")->detail_json ==
              R"({"procedure":"lan","offset_before_ms":-3000,"offset_after_ms":0,"reason":"tolerance","result":"ok"})");
    }
    SECTION("within") {
        h.outstation.meter_offset_ms = 900;
        h.start(o);
        REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
        h.session->request_time_check();
        REQUIRE(h.run_until([&] { return h.count_events("dnp3_time_checked") == 1 && !h.line.held(); }));
        h.run_for(40ms);
        CHECK(h.outstation.whats() == std::vector<std::string>{integrity_read, time_read});
        CHECK(h.count_events("dnp3_time_set") == 0);
    }
    REQUIRE(h.stop());
}

TEST_CASE("time checks run at start and on their period") {
    Harness h;
    auto o = Harness::fast_options();
    o.time_check_period = std::chrono::milliseconds(60);
    h.start(o);
    h.run_for(200ms);
    const auto checks = h.outstation.count(time_read);
    CHECK(checks >= 3);
    CHECK(checks <= 5);
    CHECK(h.outstation.journal.at(0).what == integrity_read);
    CHECK(h.count_events("dnp3_time_checked") == checks);
    REQUIRE(h.stop());
}

TEST_CASE("a refused time set is reported and not repeated at once") {
    Harness h;
    auto o = Harness::fast_options();
    o.time_sync = TimeSyncMode::non_lan;
    o.retry_max = std::chrono::seconds(10);
    h.outstation.iin.bits = Iin::need_time;
    h.outstation.on_request = [&](const Request& r) {
        if (r.function != FunctionCode::delay_measure) return false;
        ResponseBuilder b;
        b.begin(control(r.control.seq), Iin{static_cast<std::uint16_t>(Iin::need_time | Iin::no_func_code_support)});
        h.outstation.send(b.fragment());
        return true;
    };
    h.start(o);
    REQUIRE(h.run_until([&] { return h.count_events("dnp3_time_set") == 1 && !h.line.held(); }));
    CHECK(h.last_event("dnp3_time_set")->detail_json ==
          R"({"procedure":"non_lan","offset_before_ms":0,"offset_after_ms":null,)"
          R"("reason":"need_time","result":"rejected"})");
    h.session->request_integrity();
    REQUIRE(h.run_until([&] { return h.outstation.count(integrity_read) == 2 && !h.line.held(); }));
    h.run_for(40ms);
    CHECK(h.outstation.count("DELAY_MEASURE") == 1);
    CHECK(h.session->stats().time_sets == 0);
    REQUIRE(h.stop());
}
