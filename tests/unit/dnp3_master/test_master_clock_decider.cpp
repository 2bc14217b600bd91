// MasterSession with a clock_decider: the measurements it is handed, the sets it performs
// only when told, rechecks, NEED_TIME, failures reported to on_time_set, and an outstation
// whose clock keeps local time.
#include <catch2/catch.hpp>

#include "master_harness.hpp"

using namespace gridgate;
using namespace gridgate::dnp3;
using namespace gridgate::dnp3::testing;

namespace {

const char* time_read = "READ g50v1";

struct Decisions {
    std::vector<ClockMeasurement> seen;
    std::vector<TimeSetResult> sets;
    std::function<ClockVerdict(const ClockMeasurement&)> verdict = [](const ClockMeasurement&) {
        return ClockVerdict{};
    };

    void attach(SessionOptions& o) {
        o.clock_decider = [this](const ClockMeasurement& m) {
            seen.push_back(m);
            return verdict(m);
        };
        o.on_time_set = [this](const TimeSetResult& r) { sets.push_back(r); };
    }
};

ClockVerdict set_it(const ClockMeasurement&) { return ClockVerdict{true, "out_of_tolerance", std::nullopt}; }

std::int64_t offset_ms(const ClockMeasurement& m) {
    REQUIRE(m.meter_us);
    return (*m.meter_us - (m.sent_us + (m.received_us - m.sent_us) / 2)) / 1000;
}

}  // namespace

TEST_CASE("decider: each check hands over when the request left, when the answer came and the meter's time") {
    Harness h;
    Decisions d;
    auto o = Harness::fast_options();
    o.time_sync = TimeSyncMode::lan;
    d.attach(o);
    h.outstation.meter_offset_ms = 2000;
    h.outstation.on_request = [&](const Request& r) {
        if (r.function == FunctionCode::read && r.objects.at(0).header.group == 50)
            h.clock.advance(std::chrono::milliseconds(100));
        return false;
    };
    h.start(o);
    REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
    const TimestampUs before = h.clock.now_utc_us();
    h.session->request_time_check();
    REQUIRE(h.run_until([&] { return d.seen.size() == 1 && !h.line.held(); }));
    const ClockMeasurement& m = d.seen[0];
    CHECK(m.sent_us == before);
    CHECK(m.received_us == before + 100'000);
    CHECK(m.meter_us == before + 100'000 + 2'000'000);  // the meter read its clock when the request arrived
    CHECK_FALSE(m.need_time);
    CHECK(offset_ms(m) == 2050);
    h.run_for(40ms);
    // Kept: no set, whatever time_tolerance says, and the owner audits, not the session.
    CHECK(h.outstation.whats() == std::vector<std::string>{integrity_read, time_read});
    CHECK(h.count_events("dnp3_time_checked") == 0);
    CHECK(d.sets.empty());
    CHECK(h.session->stats().last_offset_ms == 2050);
    REQUIRE(h.stop());
}

TEST_CASE("decider: a set is performed only when the verdict says so, in the same hold of the line") {
    Harness h;
    Decisions d;
    auto o = Harness::fast_options();
    h.outstation.meter_offset_ms = -4000;
    SECTION("LAN") {
        o.time_sync = TimeSyncMode::lan;
        d.verdict = set_it;
        d.attach(o);
        h.start(o);
        REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
        h.session->request_time_check();
        REQUIRE(h.run_until([&] { return d.sets.size() == 1 && !h.line.held(); }));
        CHECK(h.outstation.whats() == std::vector<std::string>{integrity_read, time_read, "RECORD_CURRENT_TIME",
                                                               "WRITE g50v3", time_read});
        CHECK(h.line.grants == 2);  // the integrity poll, then check + set + read after in one lease
        CHECK(d.sets[0].procedure == TimeSyncMode::lan);
    }
    SECTION("non-LAN") {
        o.time_sync = TimeSyncMode::non_lan;
        d.verdict = set_it;
        d.attach(o);
        h.start(o);
        REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
        h.session->request_time_check();
        REQUIRE(h.run_until([&] { return d.sets.size() == 1 && !h.line.held(); }));
        CHECK(h.outstation.whats() ==
              std::vector<std::string>{integrity_read, time_read, "DELAY_MEASURE", "WRITE g50v1", time_read});
        CHECK(d.sets[0].procedure == TimeSyncMode::non_lan);
    }
    REQUIRE(d.seen.size() == 1);  // the read after the set is reported with the set, not decided on
    const TimeSetResult& r = d.sets[0];
    CHECK(r.result == "ok");
    REQUIRE(r.after);
    CHECK(offset_ms(*r.after) == 0);
    CHECK(r.at_us == h.clock.now_utc_us());
    CHECK(h.outstation.meter_offset_ms == 0);
    CHECK(h.session->stats().time_sets == 1);
    const auto* e = h.last_event("dnp3_time_set");
    REQUIRE(e);
    CHECK(e->detail_json.find(R"("offset_before_ms":-4000,"offset_after_ms":0,"reason":"out_of_tolerance","result":"ok")") !=
          std::string::npos);
    REQUIRE(h.stop());
}

TEST_CASE("decider: NEED_TIME asks for one check; the decider may leave the clock alone") {
    Harness h;
    Decisions d;
    auto o = Harness::fast_options();
    o.time_sync = TimeSyncMode::lan;
    o.need_time_recheck = 300ms;
    d.attach(o);
    h.outstation.iin.bits = Iin::need_time;
    h.start(o);
    REQUIRE(h.run_until([&] { return d.seen.size() == 1 && !h.line.held(); }));
    CHECK(d.seen[0].need_time);
    // The outstation keeps asking in every answer; polls go on, no check storm, no set.
    for (int i = 0; i < 3; ++i) {
        h.session->request_integrity();
        REQUIRE(h.run_until([&] { return h.outstation.count(integrity_read) == std::size_t(i + 2) && !h.line.held(); }));
    }
    CHECK(d.seen.size() == 1);
    CHECK(h.outstation.count("WRITE") == 0);
    CHECK(h.outstation.count("RECORD_CURRENT_TIME") == 0);
    // After need_time_recheck it is heard again.
    h.run_for(320ms);
    h.session->request_integrity();
    REQUIRE(h.run_until([&] { return d.seen.size() == 2 && !h.line.held(); }));
    CHECK(h.outstation.count("WRITE") == 0);
    REQUIRE(h.stop());
}

TEST_CASE("decider: NEED_TIME and a verdict to set") {
    Harness h;
    Decisions d;
    auto o = Harness::fast_options();
    o.time_sync = TimeSyncMode::non_lan;
    d.verdict = [](const ClockMeasurement& m) { return ClockVerdict{m.need_time, "out_of_tolerance", std::nullopt}; };
    d.attach(o);
    h.outstation.iin.bits = Iin::need_time;
    h.outstation.meter_offset_ms = 9000;
    h.start(o);
    REQUIRE(h.run_until([&] { return d.sets.size() == 1 && !h.line.held(); }));
    // The time comes before the event polls: right after the integrity poll.
    CHECK(h.outstation.whats() ==
          std::vector<std::string>{integrity_read, time_read, "DELAY_MEASURE", "WRITE g50v1", time_read});
    CHECK(d.sets[0].result == "ok");
    CHECK_FALSE(h.outstation.iin.has(Iin::need_time));  // the write answered it
    REQUIRE(h.stop());
}

TEST_CASE("decider: recheck_after brings a check at that time, without a period") {
    Harness h;
    Decisions d;
    auto o = Harness::fast_options();
    o.time_sync = TimeSyncMode::lan;
    d.verdict = [&](const ClockMeasurement&) {
        // First: postponed (a guard window); then set.
        if (d.seen.size() == 1) return ClockVerdict{false, "guard_window", Duration{std::chrono::milliseconds(120)}};
        return ClockVerdict{true, "out_of_tolerance", std::nullopt};
    };
    d.attach(o);
    h.outstation.meter_offset_ms = 3000;
    h.start(o);
    REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
    h.session->request_time_check();
    REQUIRE(h.run_until([&] { return d.seen.size() == 1; }));
    const auto first = SteadyClock::now();
    REQUIRE(h.run_until([&] { return d.sets.size() == 1 && !h.line.held(); }));
    CHECK(SteadyClock::now() - first >= 110ms);
    CHECK(d.seen.size() == 2);
    CHECK(h.outstation.count("WRITE g50v3") == 1);
    REQUIRE(h.stop());
}

TEST_CASE("decider: a set the outstation refuses or never answers is reported") {
    Harness h;
    Decisions d;
    auto o = Harness::fast_options();
    o.time_sync = TimeSyncMode::lan;
    d.verdict = set_it;
    d.attach(o);
    h.outstation.meter_offset_ms = 3000;
    SECTION("refused") {
        h.outstation.on_request = [&](const Request& r) {
            if (r.function != FunctionCode::record_current_time) return false;
            ResponseBuilder b;
            b.begin(control(r.control.seq), Iin{Iin::no_func_code_support});
            h.outstation.send(b.fragment());
            return true;
        };
        h.start(o);
        REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
        h.session->request_time_check();
        REQUIRE(h.run_until([&] { return d.sets.size() == 1 && !h.line.held(); }));
        CHECK(d.sets[0].result == "rejected");
        CHECK_FALSE(d.sets[0].after);
    }
    SECTION("no answer to the write") {
        h.outstation.on_request = [&](const Request& r) { return r.function == FunctionCode::write; };
        h.start(o);
        REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
        h.session->request_time_check();
        REQUIRE(h.run_until([&] { return d.sets.size() == 1 && !h.line.held(); }));
        CHECK(d.sets[0].result == "failed");
        CHECK(d.sets[0].error == "no response");
        CHECK(h.session->stats().timeouts == 1);
    }
    CHECK(h.session->stats().time_sets == 0);
    REQUIRE(h.stop());
}

TEST_CASE("decider with time_sync none: a set verdict is reported failed, nothing written") {
    Harness h;
    Decisions d;
    auto o = Harness::fast_options();
    o.time_sync = TimeSyncMode::none;
    d.verdict = set_it;
    d.attach(o);
    h.start(o);
    REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
    h.session->request_time_check();
    REQUIRE(h.run_until([&] { return d.sets.size() == 1 && !h.line.held(); }));
    CHECK(d.sets[0].result == "failed");
    CHECK(h.outstation.whats() == std::vector<std::string>{integrity_read, time_read});
    REQUIRE(h.stop());
}

TEST_CASE("an outstation keeping local time: g50 read and written as its wall time") {
    Harness h;
    Decisions d;
    auto o = Harness::fast_options();
    o.time_sync = TimeSyncMode::non_lan;
    o.meter_time_zone = TimeZone::load("America/New_York");
    h.outstation.zone = TimeZone::load("America/New_York");
    d.verdict = set_it;
    d.attach(o);
    // 2026-11-01 05:40Z = 01:40 EDT, the first pass of the repeated hour; the meter is 90 s
    // slow, reading 01:38:30 local, which is also EST 06:38:30Z: the nearer instant wins.
    h.clock.set_wall(1'793'509'200'000'000 + 40 * 60 * 1'000'000LL);
    h.outstation.meter_offset_ms = -90'000;
    h.start(o);
    REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
    h.session->request_time_check();
    REQUIRE(h.run_until([&] { return d.sets.size() == 1 && !h.line.held(); }));
    CHECK(offset_ms(d.seen.at(0)) == -90'000);
    // The write carried local time: 4 h behind UTC in EDT.
    const auto& write = h.outstation.journal.at(3);
    REQUIRE(write.what == "WRITE g50v1");
    const auto written = static_cast<std::int64_t>(*write.request.objects.at(0).time);
    CHECK(written == write.gateway_time_us / 1000 - 4 * 3'600'000);
    CHECK(h.outstation.meter_offset_ms == 0);
    CHECK(offset_ms(*d.sets[0].after) == 0);
    REQUIRE(h.stop());
}
