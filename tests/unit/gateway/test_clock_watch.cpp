#include <catch2/catch.hpp>

#include <atomic>

#include "clock_watch.hpp"
#include "gridgate/core/clock.hpp"
#include "gridgate/core/reading.hpp"
#include "time_quality_sink.hpp"

using namespace gridgate;
using namespace gridgate::gateway;
using namespace std::chrono_literals;

namespace {
constexpr TimestampUs t0 = 1'795'255'632'500'000;  // 2026-11-21T10:07:12.5Z

// Samples once a second for `seconds`, as the gateway's timer does.
int steps_over(ClockWatch& watch, FakeClock& clock, int seconds, Duration slew_per_second = Duration::zero()) {
    int steps = 0;
    for (int i = 0; i < seconds; ++i) {
        clock.advance(1s);
        clock.step_wall(slew_per_second);
        if (watch.sample()) ++steps;
    }
    return steps;
}

struct RecordingSink final : DurableSink {
    std::vector<Reading> got;
    bool durable = false;
    void submit(std::vector<Reading> readings) override { got = std::move(readings); }
    void submit_durable(std::vector<Reading> readings, std::function<void(bool)> done) override {
        got = std::move(readings);
        durable = true;
        done(true);
    }
};
}  // namespace

TEST_CASE("a steady wall clock, and one slewed as chrony slews, is never a step", "[time][step]") {
    FakeClock clock(t0);
    ClockWatch watch(clock);
    CHECK(steps_over(watch, clock, 120) == 0);
    // chrony slews by at most 83 ms/s (maxslewrate 83333 ppm): still far from a step.
    CHECK(steps_over(watch, clock, 60, 83ms) == 0);
    CHECK(steps_over(watch, clock, 60, -83ms) == 0);
    CHECK(watch.epoch() == 0);
    CHECK_FALSE(watch.last_step());
}

TEST_CASE("steps forwards and backwards are seen once each, with their size and both sides", "[time][step]") {
    FakeClock clock(t0);
    ClockWatch watch(clock);
    const std::pair<Duration, const char*> cases[] = {
        {1h, "+1 h"}, {-1h, "-1 h"}, {24h, "+1 day"}, {-24h, "-1 day"}, {600ms, "+0.6 s"}, {-2s, "-2 s"}};
    std::uint64_t epoch = 0;
    for (const auto& [step, what] : cases) {
        INFO(what);
        clock.advance(400ms);
        const TimestampUs before = clock.now_utc_us();
        clock.step_wall(step);
        clock.advance(600ms);
        const auto seen = watch.sample();
        REQUIRE(seen);
        CHECK(seen->step == step);
        CHECK(seen->wall_after == before + step.count() + 600'000);
        CHECK(seen->wall_after - seen->wall_before == step.count() + 1'000'000);
        CHECK(watch.epoch() == ++epoch);
        CHECK(watch.last_step()->step == step);
        CHECK(steps_over(watch, clock, 5) == 0);  // once only
    }
}

TEST_CASE("a step below the threshold is not a step", "[time][step]") {
    FakeClock clock(t0);
    ClockWatch watch(clock, 500ms);
    clock.advance(1s);
    clock.step_wall(400ms);
    CHECK_FALSE(watch.sample());
    clock.advance(1s);
    clock.step_wall(-499ms);
    CHECK_FALSE(watch.sample());
    clock.advance(1s);
    clock.step_wall(501ms);
    CHECK(watch.sample());
}

TEST_CASE("the time quality sink ORs the current flags into every reading, durable or not", "[time][quality]") {
    RecordingSink inner;
    std::atomic<std::uint32_t> flags{0};
    TimeQualitySink sink(inner, flags);
    const auto batch = [] {
        return std::vector<Reading>{{"m1", "wh", t0, 1.0, "Wh", quality::good, Source::modbus_tcp},
                                    {"m1", "v", t0, 2.0, "V", quality::clock_step, Source::modbus_tcp}};
    };
    sink.submit(batch());
    CHECK(inner.got[0].quality == quality::good);
    CHECK(inner.got[1].quality == quality::clock_step);

    flags = quality::time_unsynced;
    sink.submit(batch());
    CHECK(inner.got[0].quality == quality::time_unsynced);
    CHECK(inner.got[1].quality == (quality::clock_step | quality::time_unsynced));

    bool stored = false;
    sink.submit_durable(batch(), [&](bool ok) { stored = ok; });
    CHECK(inner.durable);
    CHECK(stored);
    CHECK(inner.got[0].quality == quality::time_unsynced);
    CHECK(inner.got[0].value == 1.0);
}

TEST_CASE("wall_step_between compares a poll's wall time with its monotonic time", "[time][step]") {
    FakeClock clock(t0);
    const TimestampUs wall0 = clock.now_utc_us();
    const SteadyTime steady0 = clock.steady_now();
    clock.advance(3s);  // a slow poll, no step
    CHECK_FALSE(wall_step_between(wall0, steady0, clock.now_utc_us(), clock.steady_now()));
    clock.step_wall(-1h);  // stepped back during the poll
    clock.advance(1s);
    const auto step = wall_step_between(wall0, steady0, clock.now_utc_us(), clock.steady_now());
    REQUIRE(step);
    CHECK(*step == -1h);
    CHECK(wall_step_between(wall0, steady0, wall0 + 1'000'000, steady0 + 400ms) == Duration(600ms));
    CHECK_FALSE(wall_step_between(wall0, steady0, wall0 + 1'000'000, steady0 + 600ms));
}
