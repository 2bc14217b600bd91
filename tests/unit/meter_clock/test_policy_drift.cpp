// The drift alarm: a meter found beyond tolerance again after each of N sets in a row.
#include <catch2/catch.hpp>

#include "policy_test_support.hpp"

using namespace gridgate;
using namespace gridgate::meterclock;
using namespace gridgate::meterclock::test;

namespace {
constexpr TimestampUs hour = 60 * minute;

// Check at `at`; set if the policy says so (the meter takes it, 5 ms left over).
ClockDecision check_and_set(MeterClockPolicy& p, TimestampUs at, Duration offset) {
    const auto d = p.decide(check_at(at, offset));
    if (d.action == ClockAction::set) p.on_set(true, 5ms, at + second);
    return d;
}
}  // namespace

TEST_CASE("a meter that drifts past tolerance after two sets in a row raises a drift alarm with its rate",
          "[meter_clock][drift]") {
    MeterClockPolicy p(settable());  // drift_alarm_after: 2
    // The first error found is not drift: nothing says when it began.
    CHECK_FALSE(check_and_set(p, mid, 3s).drift);
    CHECK(p.state().drift_streak == 0);
    // One hour later it is 725 ms fast again: 1 after a set.
    const auto first = check_and_set(p, mid + hour, 725ms);
    CHECK(first.action == ClockAction::set);
    CHECK_FALSE(first.drift);
    CHECK(p.state().drift_streak == 1);
    // And again: 2 -> alarm. Gained 720 ms in (1 h - 1 s) since the set: 200.06 ppm.
    const auto second_time = check_and_set(p, mid + 2 * hour, 725ms);
    CHECK(second_time.action == ClockAction::set);  // the alarm does not stop the correction
    REQUIRE(second_time.drift);
    CHECK(second_time.drift->consecutive == 2);
    REQUIRE(second_time.drift->ppm);
    CHECK(*second_time.drift->ppm == Approx(720'000.0 / (hour - second) * 1e6));
    CHECK(*second_time.drift->ppm == Approx(200.06).epsilon(1e-4));
    // Not repeated at 3; again at 4.
    CHECK_FALSE(check_and_set(p, mid + 3 * hour, 725ms).drift);
    const auto fourth = check_and_set(p, mid + 4 * hour, 725ms);
    REQUIRE(fourth.drift);
    CHECK(fourth.drift->consecutive == 4);
}

TEST_CASE("a slow meter's drift rate is negative", "[meter_clock][drift]") {
    MeterClockPolicy p(settable());
    check_and_set(p, mid, 3s);
    check_and_set(p, mid + hour, -900ms);
    const auto d = check_and_set(p, mid + 2 * hour, -900ms);
    REQUIRE(d.drift);
    CHECK(*d.drift->ppm < -240.0);
}

TEST_CASE("a single excursion raises no drift alarm", "[meter_clock][drift]") {
    MeterClockPolicy p(settable());
    check_and_set(p, mid, 3s);
    CHECK_FALSE(check_and_set(p, mid + hour, 800ms).drift);  // 1
    CHECK_FALSE(check_and_set(p, mid + 2 * hour, 40ms).drift);  // within: back to 0
    CHECK(p.state().drift_streak == 0);
    CHECK_FALSE(check_and_set(p, mid + 3 * hour, 800ms).drift);  // 1 again
    CHECK(p.state().drift_streak == 1);
}

TEST_CASE("a postponed set re-measured after the guard window counts once", "[meter_clock][drift]") {
    auto c = settable();
    c.drift_alarm_after = 2;
    MeterClockPolicy p(c);
    check_and_set(p, mid, 3s);
    const TimestampUs b = ten_oclock + 60 * minute;
    const auto postponed = check_and_set(p, b - 5 * second, 800ms);
    CHECK(postponed.action == ClockAction::postpone);
    CHECK(p.state().drift_streak == 1);
    const auto retried = check_and_set(p, *postponed.retry_at, 800ms);
    CHECK(retried.action == ClockAction::set);
    CHECK_FALSE(retried.drift);
    CHECK(p.state().drift_streak == 1);
}

TEST_CASE("drift counting ignores checks against an unsynced gateway and uncertain ones", "[meter_clock][drift]") {
    MeterClockPolicy p(settable());
    check_and_set(p, mid, 3s);
    check_and_set(p, mid + hour, 800ms);  // 1
    // The gateway lost its time: neither beyond nor within counts.
    p.decide(check_at(mid + 2 * hour, 10ms, 1ms, GatewayTimeQuality::unsynced));
    p.decide(check_at(mid + 2 * hour, 10s, 1ms, GatewayTimeQuality::unsynced));
    CHECK(p.state().drift_streak == 1);
    p.decide(check_at(mid + 2 * hour, 900ms, 600ms));  // uncertain
    CHECK(p.state().drift_streak == 1);
    const auto d = check_and_set(p, mid + 3 * hour, 800ms);
    CHECK(d.drift);
}

TEST_CASE("a failed set is not a set for drift", "[meter_clock][drift]") {
    MeterClockPolicy p(settable());
    p.decide(check_at(mid, 3s));
    p.on_set(false, std::nullopt, mid + second);
    CHECK_FALSE(p.state().last_set_at);
    p.decide(check_at(mid + hour, 3s));
    CHECK(p.state().drift_streak == 0);
}

TEST_CASE("drift_alarm_after 1 alarms at the first drift after a set", "[meter_clock][drift]") {
    auto c = settable();
    c.drift_alarm_after = 1;
    MeterClockPolicy p(c);
    p.decide(check_at(mid, 3s));
    p.on_set(true, std::nullopt, mid);  // offset after not measured: taken as 0
    const auto d = p.decide(check_at(mid + hour, 720ms));
    REQUIRE(d.drift);
    CHECK(*d.drift->ppm == Approx(200.0));
}
