// Dnp3Meter's clock glue: every measurement goes through the MeterClockPolicy and is
// audited; the session sets the outstation's clock only when the policy says so.
// The scripted outstation and the in-memory line of master_harness.hpp, a FakeClock.
#include <catch2/catch.hpp>

#include <cmath>
#include <nlohmann/json.hpp>

#include "dnp3_meter.hpp"
#include "master_harness.hpp"

using namespace gridgate;
using namespace gridgate::dnp3::testing;
using gridgate::gateway::Dnp3Meter;
using gridgate::gateway::MeterConfig;
using gridgate::meterclock::GatewayTimeQuality;
using json = nlohmann::json;

namespace {

struct StoreNothing final : DurableSink {
    void submit(std::vector<Reading>) override {}
    void submit_durable(std::vector<Reading>, std::function<void(bool)> done) override { done(true); }
};

struct Events final : EventSink {
    std::vector<std::pair<std::string, json>> recorded;
    void record_event(std::string_view kind, std::string_view detail) override {
        recorded.emplace_back(std::string(kind), json::parse(detail));
    }
    std::vector<json> of(const std::string& kind) const {
        std::vector<json> out;
        for (const auto& [k, d] : recorded)
            if (k == kind) out.push_back(d);
        return out;
    }
};

MeterConfig meter_config() {
    MeterConfig m;
    m.id = "m1";
    m.protocol = "dnp3";
    m.connection = "lan";
    m.dnp3.address = 10;
    m.dnp3.master_address = 1;
    m.dnp3.response_timeout = 150ms;
    m.dnp3.time_sync = "lan";
    m.clock.check_period = Duration::zero();  // only on request in these tests
    m.clock.tolerance = 500ms;
    m.clock.set = true;
    m.clock.max_step = std::chrono::minutes(5);
    m.clock.guard = 30s;
    m.clock.interval = std::chrono::minutes(15);
    m.clock.protocols = {meterclock::ClockProtocol::dnp3};
    return m;
}

// The harness's line, outstation and clock with a Dnp3Meter instead of a bare session.
struct Glue {
    explicit Glue(MeterConfig config = meter_config()) {
        meter = std::make_unique<Dnp3Meter>(h.line, h.clock, config, false, sink, events, nullptr, dedup, h.logger,
                                            [this] { return quality; });
    }
    ~Glue() {
        bool done = false;
        meter->stop([&] { done = true; });
        h.run_until([&] { return done; });
        meter.reset();
    }
    Glue(const Glue&) = delete;
    Glue& operator=(const Glue&) = delete;

    void start() {
        meter->start();
        REQUIRE(h.run_until([&] { return meter->stats().transactions >= 1 && !h.line.held(); }));
    }
    // Asks for a check and runs until its audit event is in.
    void check() {
        const auto before = events.of("meter_time_check").size();
        meter->request_clock_check();
        REQUIRE(h.run_until([&] { return events.of("meter_time_check").size() > before && !h.line.held(); }));
        h.run_for(20ms);
    }
    json last(const std::string& kind) const {
        const auto all = events.of(kind);
        REQUIRE_FALSE(all.empty());
        return all.back();
    }

    Harness h;
    StoreNothing sink;
    Events events;
    gateway::SharedDedup dedup;
    GatewayTimeQuality quality = GatewayTimeQuality::synced;
    std::unique_ptr<Dnp3Meter> meter;
};

}  // namespace

TEST_CASE("glue: within tolerance the clock is checked, audited and left alone") {
    Glue g;
    g.h.outstation.meter_offset_ms = 200;
    g.start();
    g.check();
    const json c = g.last("meter_time_check");
    CHECK(c["meter"] == "m1");
    CHECK(c["protocol"] == "dnp3");
    CHECK(c["action"] == "none");
    CHECK(c["reason"] == "within_tolerance");
    CHECK(c["offset_before_ms"].get<double>() == Approx(200.5).margin(0.01));  // ms read truncated: + half a ms
    CHECK(c["uncertainty_ms"].get<double>() == Approx(0.5).margin(0.01));     // no round trip on a fake clock
    CHECK(c["gateway_time_quality"] == "synced");
    CHECK(c["need_time"] == false);
    CHECK(g.h.outstation.count("WRITE") == 0);
    CHECK(g.events.of("meter_time_set").empty());
    CHECK(g.events.of("dnp3_time_checked").empty());
    const json st = g.meter->clock_status();
    CHECK(st["last_offset_ms"].get<double>() == Approx(200.5).margin(0.01));
    CHECK(st["last_set_at"].is_null());
    CHECK(st["last_gateway_time_quality"] == "synced");
}

TEST_CASE("glue: beyond tolerance the policy sets, and the set is audited with the offset after") {
    Glue g;
    g.h.outstation.meter_offset_ms = 3000;
    g.start();
    g.check();
    REQUIRE(g.h.run_until([&] { return !g.events.of("meter_time_set").empty(); }));
    CHECK(g.last("meter_time_check")["action"] == "set");
    const json s = g.last("meter_time_set");
    CHECK(s["result"] == "ok");
    CHECK(s["reason"] == "out_of_tolerance");
    CHECK(s["procedure"] == "lan");
    CHECK(s["offset_before_ms"].get<double>() == Approx(3000.5).margin(0.01));
    CHECK(std::abs(s["offset_after_ms"].get<double>()) < 1.0);
    CHECK(g.h.outstation.whats() == std::vector<std::string>{integrity_read, "READ g50v1", "RECORD_CURRENT_TIME",
                                                             "WRITE g50v3", "READ g50v1"});
    CHECK(g.h.outstation.meter_offset_ms == 0);
    // The driver's own event stays for existing consumers.
    CHECK(g.last("dnp3_time_set")["result"] == "ok");
    const json st = g.meter->clock_status();
    CHECK(st["last_set_result"] == "ok");
    CHECK(st["last_set_at"] == format_iso8601_utc(g.h.clock.now_utc_us()));
    CHECK(g.meter->status_json()["time_sets"] == 1);
    CHECK(g.meter->status_json()["clock"]["drift_streak"] == 0);
}

TEST_CASE("glue: an unsynced gateway never sets, even when the meter asks (NEED_TIME)") {
    Glue g;
    g.quality = GatewayTimeQuality::unsynced;
    g.h.outstation.meter_offset_ms = 3000;
    g.h.outstation.iin.bits = dnp3::Iin::need_time;
    g.meter->start();
    // NEED_TIME asks for a check at once.
    REQUIRE(g.h.run_until([&] { return !g.events.of("meter_time_check").empty() && !g.h.line.held(); }));
    const json c = g.last("meter_time_check");
    CHECK(c["action"] == "refuse");
    CHECK(c["reason"] == "gateway_unsynced");
    CHECK(c["gateway_time_quality"] == "unsynced");
    CHECK(c["need_time"] == true);
    g.h.run_for(50ms);
    CHECK(g.h.outstation.count("WRITE") == 0);
    CHECK(g.h.outstation.count("RECORD_CURRENT_TIME") == 0);
    CHECK(g.events.of("meter_time_set").empty());
    CHECK(g.events.of("meter_time_check").size() == 1);  // not asked again at every answer
}

TEST_CASE("glue: a large offset raises the alarm and waits for an operator's forced set") {
    Glue g;
    g.h.outstation.meter_offset_ms = 10 * 60 * 1000;
    g.start();
    g.check();
    CHECK(g.last("meter_time_check")["reason"] == "too_large");
    CHECK(g.last("meter_clock_large_offset")["max_step_ms"] == 300000.0);
    CHECK(g.h.outstation.count("WRITE") == 0);
    g.meter->request_clock_set(true);
    REQUIRE(g.h.run_until([&] { return !g.events.of("meter_time_set").empty() && !g.h.line.held(); }));
    CHECK(g.last("meter_time_check")["reason"] == "large_step_forced");
    CHECK(g.last("meter_time_set")["result"] == "ok");
    CHECK(g.h.outstation.meter_offset_ms == 0);
    CHECK(g.meter->clock_status()["force_pending"] == false);
}

TEST_CASE("glue: inside the guard window the set is postponed to the window's end, then made") {
    auto config = meter_config();
    config.clock.interval = std::chrono::minutes(1);
    config.clock.guard = 150ms;
    Glue g(config);
    // 50 ms before a minute boundary.
    g.h.clock.set_wall(1'800'000'000'000'000 - 50'000);
    g.h.outstation.meter_offset_ms = 2000;
    g.start();
    g.check();
    const json c = g.last("meter_time_check");
    CHECK(c["action"] == "postpone");
    CHECK(c["retry_at"] == format_iso8601_utc(1'800'000'000'000'000 + 150'000));
    CHECK(g.h.outstation.count("WRITE") == 0);
    CHECK(g.meter->clock_status()["next_check"] == c["retry_at"]);
    // The session looks again after the 200 ms to the window's end (real steady time);
    // the gateway's wall clock is past the window by then.
    g.h.clock.advance(250ms);
    REQUIRE(g.h.run_until([&] { return !g.events.of("meter_time_set").empty() && !g.h.line.held(); }));
    CHECK(g.events.of("meter_time_check").size() == 2);
    CHECK(g.last("meter_time_check")["action"] == "set");
    CHECK(g.h.outstation.count("WRITE g50v3") == 1);
}

TEST_CASE("glue: a meter found beyond tolerance after each set raises the drift alarm") {
    Glue g;
    g.start();
    for (int round = 0; round < 3; ++round) {
        g.h.outstation.meter_offset_ms = 2000;  // drifted 2 s since the last set
        g.check();
        REQUIRE(g.h.run_until([&] { return g.events.of("meter_time_set").size() == std::size_t(round + 1); }));
        g.h.clock.advance(std::chrono::minutes(20));  // 2 s in 20 min: about 1667 ppm
    }
    const auto drift = g.events.of("meter_clock_drift");
    REQUIRE(drift.size() == 1);  // at the second set in a row followed by a drifted check
    CHECK(drift[0]["consecutive"] == 2);
    CHECK(drift[0]["drift_ppm"].get<double>() == Approx(2000.5e3 / (20 * 60e6) * 1e6).epsilon(0.01));
}

TEST_CASE("glue: a set the meter refuses is audited as rejected") {
    Glue g;
    g.h.outstation.meter_offset_ms = 3000;
    g.h.outstation.on_request = [&](const dnp3::Request& r) {
        if (r.function != dnp3::FunctionCode::record_current_time) return false;
        dnp3::ResponseBuilder b;
        b.begin(control(r.control.seq), dnp3::Iin{dnp3::Iin::no_func_code_support});
        g.h.outstation.send(b.fragment());
        return true;
    };
    g.start();
    g.check();
    REQUIRE(g.h.run_until([&] { return !g.events.of("meter_time_set").empty(); }));
    CHECK(g.last("meter_time_set")["result"] == "rejected");
    CHECK(g.last("meter_time_set")["offset_after_ms"].is_null());
    CHECK(g.meter->clock_status()["last_set_result"] == "rejected");
    CHECK(g.meter->clock_status()["last_set_at"].is_null());
}
