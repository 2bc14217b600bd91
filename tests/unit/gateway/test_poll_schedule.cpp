#include <catch2/catch.hpp>

#include "gridgate/core/clock.hpp"
#include "gridgate/gateway/poll_schedule.hpp"

using namespace gridgate;
using namespace gridgate::gateway;
using namespace std::chrono_literals;

namespace {
constexpr TimestampUs minute = 60'000'000;
// 2026-11-21T10:07:12.5Z
constexpr TimestampUs t0 = 1'795'255'632'500'000;
constexpr TimestampUs hour_start = t0 - (7 * minute) - 12'500'000;  // 10:00:00Z

// Runs a schedule against a fake clock the way the gateway's meter task does: wait,
// poll (taking `poll_time`), report, repeat. Returns the wall times polls started.
std::vector<TimestampUs> run(PollSchedule& s, FakeClock& clock, int polls, Duration poll_time) {
    std::vector<TimestampUs> starts;
    while (static_cast<int>(starts.size()) < polls) {
        const Duration wait = s.time_until_due(clock.now_utc_us());
        clock.advance(wait);
        starts.push_back(clock.now_utc_us());
        clock.advance(poll_time);
        s.poll_finished(clock.now_utc_us(), poll_time);
    }
    return starts;
}
}  // namespace

TEST_CASE("a 15-minute poll lands on :00/:15/:30/:45") {
    FakeClock clock(t0);
    PollSchedule s(15min, 0s);
    const auto starts = run(s, clock, 4, 2s);
    CHECK(starts == std::vector<TimestampUs>{hour_start + 15 * minute, hour_start + 30 * minute,
                                             hour_start + 45 * minute, hour_start + 60 * minute});
    CHECK(s.overruns() == 0);
}

TEST_CASE("the per-meter offset shifts every slot by the same amount") {
    FakeClock clock(t0);
    PollSchedule s(15min, 20s);
    const auto starts = run(s, clock, 2, 1s);
    CHECK(starts[0] == hour_start + 15 * minute + 20'000'000);
    CHECK(starts[1] == hour_start + 30 * minute + 20'000'000);
}

TEST_CASE("jitter offsets are stable per meter, within range and differ between meters") {
    const Duration a = jitter_offset("jem1", 30s);
    CHECK(a == jitter_offset("jem1", 30s));
    CHECK(a >= 0s);
    CHECK(a < 30s);
    CHECK(jitter_offset("jem1", 0s) == 0s);
    int distinct = 0;
    for (int i = 2; i < 12; ++i) distinct += jitter_offset("jem" + std::to_string(i), 30s) != a;
    CHECK(distinct >= 8);
}

TEST_CASE("sub-second intervals align to their own boundaries") {
    FakeClock clock(hour_start + 123'456);
    PollSchedule s(250ms, 0s);
    const auto starts = run(s, clock, 3, 1ms);
    CHECK(starts == std::vector<TimestampUs>{hour_start + 250'000, hour_start + 500'000, hour_start + 750'000});
}

TEST_CASE("an overrunning poll is counted and never stacked") {
    FakeClock clock(t0);
    PollSchedule s(1min, 0s);
    // The first poll takes 2.5 minutes: the two slots it covered are overruns and the
    // next poll is the first slot after it ended, not a burst of catch-up polls.
    clock.advance(s.time_until_due(clock.now_utc_us()));
    const TimestampUs first = clock.now_utc_us();
    CHECK(first == hour_start + 8 * minute);
    clock.advance(150s);
    CHECK(s.poll_finished(clock.now_utc_us(), 150s) == 2);
    CHECK(s.overruns() == 2);
    const Duration wait = s.time_until_due(clock.now_utc_us());
    CHECK(clock.now_utc_us() + wait.count() == hour_start + 11 * minute);
}

TEST_CASE("a wall clock stepped back an hour realigns instead of waiting the hour out") {
    FakeClock clock(t0);
    PollSchedule s(15min, 0s);
    run(s, clock, 1, 1s);  // polled at 10:15, next target 10:30
    clock.step_wall(-60min);  // now 09:15:01
    const Duration wait = s.time_until_due(clock.now_utc_us());
    CHECK(clock.now_utc_us() + wait.count() == hour_start - 60 * minute + 30 * minute);
    CHECK(wait < 15min);
    CHECK(s.realignments() == 1);
}

TEST_CASE("a wall clock stepped forward a day gives one poll, not a burst") {
    FakeClock clock(t0);
    PollSchedule s(15min, 0s);
    run(s, clock, 1, 1s);
    clock.step_wall(24h);
    CHECK(s.time_until_due(clock.now_utc_us()) == 0s);  // due at once: one poll
    clock.advance(1s);
    CHECK(s.poll_finished(clock.now_utc_us(), 1s) == 0);
    const Duration wait = s.time_until_due(clock.now_utc_us());
    CHECK(wait > 0s);
    CHECK(wait <= 15min);
    CHECK(s.overruns() == 0);
}
