// The gateway's time quality rules, every transition, under a fake clock.
#include <catch2/catch.hpp>

#include <chrono>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/reading.hpp"
#include "gridgate/time/time_status.hpp"

using namespace gridgate;
using namespace gridgate::timesync;
using namespace std::chrono_literals;

namespace {

// A synchronised report: updated `age` ago, root distance 1 ms, 64 s update interval.
ChronyTracking tracking_at(const FakeClock& clock, Duration age = 10s) {
    ChronyTracking t;
    t.ref_id = 0xC0000201;
    t.ref_ip = "192.0.2.1";
    t.stratum = 2;
    t.leap_status = chrony::leap_normal;
    t.ref_time_us = clock.now_utc_us() - age.count();
    t.current_correction_s = -0.000002;
    t.skew_ppm = 0.5;
    t.root_delay_s = 0.001;
    t.root_dispersion_s = 0.0005;
    t.last_update_interval_s = 64;
    return t;
}

struct Fixture {
    FakeClock clock;
    TimeStatusEvaluator evaluator{TimeQualityLimits{100ms, 1h, 64s}};

    GatewayTimeStatus eval(const std::optional<ChronyTracking>& t, std::string_view failure = {}) {
        return evaluator.evaluate(t, failure, clock.now_utc_us(), clock.steady_now());
    }
    GatewayTimeStatus good() { return eval(tracking_at(clock)); }
    GatewayTimeStatus stale(Duration age) { return eval(tracking_at(clock, age)); }
    GatewayTimeStatus wide(double root_dispersion_s) {
        auto t = tracking_at(clock);
        t.root_dispersion_s = root_dispersion_s;
        return eval(t);
    }
};

}  // namespace

TEST_CASE("quality flags: only unsynced marks readings", "[time][status]") {
    CHECK(quality_flags(TimeQuality::unsynced) == quality::time_unsynced);
    CHECK(quality_flags(TimeQuality::holdover) == quality::time_holdover);
    CHECK(quality_flags(TimeQuality::synced) == 0);
    CHECK(to_string(TimeQuality::holdover) == "holdover");
}

TEST_CASE("unsynced when chronyd is down, unsynchronised or at stratum 0/16", "[time][status]") {
    Fixture f;
    auto s = f.eval(std::nullopt, "connection refused");
    CHECK(s.level == TimeQuality::unsynced);
    CHECK_FALSE(s.chronyd_answering);
    CHECK(s.reason == "chronyd not answering: connection refused");

    auto t = tracking_at(f.clock);
    t.leap_status = chrony::leap_unsynchronised;
    s = f.eval(t);
    CHECK(s.level == TimeQuality::unsynced);
    CHECK(s.chronyd_answering);
    CHECK(s.reason == "chronyd not synchronised");

    for (const std::uint16_t stratum : {0, 16}) {
        t = tracking_at(f.clock);
        t.stratum = stratum;
        s = f.eval(t);
        CHECK(s.level == TimeQuality::unsynced);
        CHECK(s.reason == "chronyd at stratum " + std::to_string(stratum));
    }
}

TEST_CASE("chronyd's local reference (local stratum) is not a time source", "[time][status]") {
    Fixture f;
    REQUIRE(f.good().level == TimeQuality::synced);
    auto t = tracking_at(f.clock);
    t.ref_id = chrony::local_reference_id;
    t.ref_ip.clear();
    t.stratum = 10;
    const auto s = f.eval(t);
    CHECK(s.level == TimeQuality::unsynced);
    CHECK(s.reason == "chronyd follows its own clock (local reference)");
}

TEST_CASE("synced: the fields operators see", "[time][status]") {
    Fixture f;
    const auto s = f.good();
    CHECK(s.level == TimeQuality::synced);
    CHECK(s.source == "192.0.2.1");
    CHECK(s.stratum == 2);
    CHECK(s.offset_s == Approx(0.000002));  // correction -2 µs: the clock is 2 µs ahead
    CHECK(s.root_distance_s == Approx(0.001));
    REQUIRE(s.since_update_s);
    CHECK(*s.since_update_s == Approx(10.0));
    CHECK(s.reason == "synchronised to 192.0.2.1 at stratum 2, root distance 1 ms");
}

TEST_CASE("never good since start is unsynced, not holdover", "[time][status]") {
    Fixture f;
    auto s = f.wide(0.2);
    CHECK(s.level == TimeQuality::unsynced);
    CHECK(s.reason == "never synchronised since start: root distance 200 ms > max_error 100 ms");
    auto t = tracking_at(f.clock);
    t.ref_time_us = 0;
    s = f.eval(t);
    CHECK(s.level == TimeQuality::unsynced);
    CHECK(s.reason == "never synchronised since start: no clock update yet");
    CHECK(f.good().level == TimeQuality::synced);
}

TEST_CASE("synced -> holdover on overdue updates -> unsynced when holdover runs out", "[time][status]") {
    Fixture f;
    REQUIRE(f.good().level == TimeQuality::synced);
    // 4 x 64 s = 256 s is still on time.
    CHECK(f.stale(256s).level == TimeQuality::synced);
    auto s = f.stale(300s);
    CHECK(s.level == TimeQuality::holdover);
    CHECK(s.reason == "holdover for 0 s: last update 300 s ago (expected within 256 s)");

    f.clock.advance(30min);
    s = f.stale(300s + 30min);
    CHECK(s.level == TimeQuality::holdover);
    CHECK(s.reason.starts_with("holdover for 1800 s"));

    f.clock.advance(30min);  // exactly the holdover: still allowed
    CHECK(f.stale(300s + 1h).level == TimeQuality::holdover);
    f.clock.advance(1s);
    s = f.stale(301s + 1h);
    CHECK(s.level == TimeQuality::unsynced);
    CHECK(s.reason.starts_with("holdover of 1h exhausted: last update"));

    // Still degraded: stays unsynced (holdover is only entered from synced).
    f.clock.advance(1min);
    s = f.stale(361s + 1h);
    CHECK(s.level == TimeQuality::unsynced);
    CHECK(s.reason.starts_with("not synchronised again yet: last update"));

    CHECK(f.good().level == TimeQuality::synced);
}

TEST_CASE("synced -> holdover when the root distance grows past max_error", "[time][status]") {
    Fixture f;
    REQUIRE(f.good().level == TimeQuality::synced);
    CHECK(f.wide(0.0995).level == TimeQuality::synced);  // 0.5 ms + 99.5 ms = max_error
    const auto s = f.wide(0.15);
    CHECK(s.level == TimeQuality::holdover);
    CHECK(s.reason == "holdover for 0 s: root distance 150 ms > max_error 100 ms");
}

TEST_CASE("holdover -> synced again restarts the holdover allowance", "[time][status]") {
    Fixture f;
    REQUIRE(f.good().level == TimeQuality::synced);
    REQUIRE(f.stale(1000s).level == TimeQuality::holdover);
    f.clock.advance(50min);
    REQUIRE(f.stale(1000s).level == TimeQuality::holdover);
    CHECK(f.good().level == TimeQuality::synced);
    REQUIRE(f.stale(1000s).level == TimeQuality::holdover);  // a new holdover...
    f.clock.advance(50min);
    CHECK(f.stale(1000s).level == TimeQuality::holdover);    // ...with a full hour again
    f.clock.advance(11min);
    CHECK(f.stale(1000s).level == TimeQuality::unsynced);
}

TEST_CASE("chronyd down or unsynchronised during holdover ends it", "[time][status]") {
    Fixture f;
    REQUIRE(f.good().level == TimeQuality::synced);
    REQUIRE(f.stale(1000s).level == TimeQuality::holdover);
    CHECK(f.eval(std::nullopt, "timeout").level == TimeQuality::unsynced);
    // chronyd back, still degraded: not holdover again, since it was not synced before.
    CHECK(f.stale(1000s).level == TimeQuality::unsynced);
    CHECK(f.good().level == TimeQuality::synced);
    auto t = tracking_at(f.clock);
    t.leap_status = chrony::leap_unsynchronised;
    CHECK(f.eval(t).level == TimeQuality::unsynced);
}

TEST_CASE("the overdue threshold follows chronyd's update interval", "[time][status]") {
    Fixture f;
    auto t = tracking_at(f.clock, 3000s);
    t.last_update_interval_s = 1024;  // maxpoll 10: 4 x 1024 s = 4096 s
    CHECK(f.eval(t).level == TimeQuality::synced);
    t.ref_time_us = f.clock.now_utc_us() - 4100 * 1'000'000LL;
    CHECK(f.eval(t).level == TimeQuality::holdover);
    // A refclock polled every second: the 64 s floor applies.
    t = tracking_at(f.clock, 60s);
    t.last_update_interval_s = 1;
    CHECK(f.eval(t).level == TimeQuality::synced);
}

TEST_CASE("a wall-clock step does not bend holdover, which runs on the steady clock", "[time][status]") {
    Fixture f;
    REQUIRE(f.good().level == TimeQuality::synced);
    const auto before_step = tracking_at(f.clock, 1000s);
    REQUIRE(f.eval(before_step).level == TimeQuality::holdover);
    f.clock.step_wall(24h);  // the last update now looks a day old, but no time has passed
    auto s = f.eval(before_step);
    CHECK(s.level == TimeQuality::holdover);
    CHECK(*s.since_update_s == Approx(1000.0 + 86400.0));
    f.clock.advance(2h);
    CHECK(f.eval(before_step).level == TimeQuality::unsynced);
}
