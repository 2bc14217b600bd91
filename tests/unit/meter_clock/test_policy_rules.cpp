// MeterClockPolicy::decide and next_check: one rule per case.
#include <catch2/catch.hpp>

#include "policy_test_support.hpp"

using namespace gridgate;
using namespace gridgate::meterclock;
using namespace gridgate::meterclock::test;

TEST_CASE("an offset within tolerance is left alone, either sign, up to the tolerance itself", "[meter_clock][policy]") {
    MeterClockPolicy p(settable());
    for (const Duration offset : {Duration::zero(), Duration(500ms), Duration(-500ms), Duration(-120ms)}) {
        const auto d = p.decide(check_at(mid, offset));
        CHECK(d.action == ClockAction::none);
        CHECK(d.reason == ClockReason::within_tolerance);
        CHECK_FALSE(d.large_offset);
        CHECK_FALSE(d.drift);
    }
}

TEST_CASE("an offset beyond tolerance is set, either sign", "[meter_clock][policy]") {
    MeterClockPolicy p(settable());
    for (const Duration offset : {Duration(501ms), Duration(-501ms), Duration(-4min)}) {
        const auto d = p.decide(check_at(mid, offset));
        CHECK(d.action == ClockAction::set);
        CHECK(d.reason == ClockReason::out_of_tolerance);
        CHECK_FALSE(d.retry_at);
    }
}

TEST_CASE("checks come every check_period from the last one", "[meter_clock][policy]") {
    auto c = settable();
    c.check_period = 15min;
    MeterClockPolicy p(c);
    CHECK(p.next_check(mid) == mid);  // never checked: now
    p.decide(check_at(mid, 100ms));
    CHECK(p.next_check(mid + second) == mid + 15 * minute);
    // A gateway clock stepped back an hour waits one period from now, not an hour more.
    CHECK(p.next_check(mid - 60 * minute) == mid - 45 * minute);
    // Stepped forward: due at once (the caller sees next <= now).
    CHECK(p.next_check(mid + 24 * 60 * minute) == mid + 15 * minute);

    c.check_period = Duration::zero();
    MeterClockPolicy never(c);
    CHECK_FALSE(never.next_check(mid));
    // Asked for a check anyway (NEED_TIME, operator): decided as usual.
    CHECK(never.decide(check_at(mid, 2s)).action == ClockAction::set);
}

TEST_CASE("no set within the guard window: postponed to its end, on both sides of a boundary", "[meter_clock][policy]") {
    MeterClockPolicy p(settable());
    const TimestampUs b = ten_oclock + 15 * minute;
    SECTION("just before the boundary") {
        const auto d = p.decide(check_at(b - 10 * second, 2s));
        CHECK(d.action == ClockAction::postpone);
        CHECK(d.reason == ClockReason::guard_window);
        REQUIRE(d.retry_at);
        CHECK(*d.retry_at == b + 30 * second);
        CHECK(p.next_check(b - 10 * second) == b + 30 * second);
        // The retry, at the end of the window, sets.
        const auto retry = p.decide(check_at(*d.retry_at, 2s));
        CHECK(retry.action == ClockAction::set);
        CHECK(p.next_check(*d.retry_at) == *d.retry_at + 15 * minute);
    }
    SECTION("just after the boundary") {
        const auto d = p.decide(check_at(b + 29 * second, -2s));
        CHECK(d.action == ClockAction::postpone);
        CHECK(d.retry_at == b + 30 * second);
    }
    SECTION("just outside") {
        CHECK(p.decide(check_at(b - 31 * second, 2s)).action == ClockAction::set);
        CHECK(p.decide(check_at(b + 30 * second, 2s)).action == ClockAction::set);
    }
    SECTION("within tolerance inside the window is simply none") {
        CHECK(p.decide(check_at(b, 100ms)).action == ClockAction::none);
    }
}

TEST_CASE("the guard follows the meter's local intervals", "[meter_clock][policy]") {
    auto c = settable();
    c.interval = 60min;
    MeterClockPolicy p(c);
    auto check = check_at(ten_oclock + 15 * minute + 5 * second, 2s);  // Nepal's local 16:00
    CHECK(p.decide(check).action == ClockAction::set);
    check.utc_offset = 5h + 45min;
    const auto d = p.decide(check);
    CHECK(d.action == ClockAction::postpone);
    CHECK(d.retry_at == ten_oclock + 15 * minute + 30 * second);
}

TEST_CASE("an error over max_step is refused with an alarm unless allowed or forced", "[meter_clock][policy]") {
    SECTION("refused") {
        MeterClockPolicy p(settable());
        const auto d = p.decide(check_at(mid, 6min));
        CHECK(d.action == ClockAction::refuse);
        CHECK(d.reason == ClockReason::too_large);
        CHECK(d.large_offset);
        // Exactly max_step is still corrected.
        const auto at_limit = p.decide(check_at(mid, -5min));
        CHECK(at_limit.action == ClockAction::set);
        CHECK_FALSE(at_limit.large_offset);
    }
    SECTION("allow_large_step") {
        auto c = settable();
        c.allow_large_step = true;
        MeterClockPolicy p(c);
        const auto d = p.decide(check_at(mid, -3h));
        CHECK(d.action == ClockAction::set);
        CHECK(d.reason == ClockReason::large_step_allowed);
        CHECK_FALSE(d.large_offset);
    }
    SECTION("an operator's force lets one step through") {
        MeterClockPolicy p(settable());
        p.force_next_set();
        CHECK(p.state().force_pending);
        const auto d = p.decide(check_at(mid, 1h));
        CHECK(d.action == ClockAction::set);
        CHECK(d.reason == ClockReason::large_step_forced);
        // A failed set keeps the force; a good one uses it up.
        p.on_set(false, std::nullopt, mid + second);
        CHECK(p.decide(check_at(mid + 2 * second, 1h)).action == ClockAction::set);
        p.on_set(true, 3ms, mid + 3 * second);
        CHECK_FALSE(p.state().force_pending);
        CHECK(p.decide(check_at(mid + 4 * second, 1h)).reason == ClockReason::too_large);
    }
    SECTION("a force does not override the guard window, and waits for it") {
        MeterClockPolicy p(settable());
        p.force_next_set();
        const TimestampUs b = ten_oclock + 15 * minute;
        CHECK(p.decide(check_at(b, 1h)).action == ClockAction::postpone);
        CHECK(p.decide(check_at(b + 30 * second, 1h)).reason == ClockReason::large_step_forced);
    }
}

TEST_CASE("an unsynced gateway never sets, whatever the offset, and raises nothing", "[meter_clock][policy]") {
    auto c = settable();
    c.allow_large_step = true;
    MeterClockPolicy p(c);
    p.force_next_set();
    for (const Duration offset : {Duration(2s), Duration(-10min), Duration(48h)}) {
        const auto d = p.decide(check_at(mid, offset, 1ms, GatewayTimeQuality::unsynced));
        CHECK(d.action == ClockAction::refuse);
        CHECK(d.reason == ClockReason::gateway_unsynced);
        CHECK_FALSE(d.large_offset);
        CHECK_FALSE(d.drift);
    }
    CHECK(p.decide(check_at(mid, 10ms, 1ms, GatewayTimeQuality::unsynced)).action == ClockAction::none);
}

TEST_CASE("a gateway in holdover still sets, within the same limits", "[meter_clock][policy]") {
    MeterClockPolicy p(settable());
    CHECK(p.decide(check_at(mid, 2s, 20ms, GatewayTimeQuality::holdover)).action == ClockAction::set);
    CHECK(p.decide(check_at(mid, 6min, 20ms, GatewayTimeQuality::holdover)).reason == ClockReason::too_large);
    CHECK(p.decide(check_at(ten_oclock, 2s, 20ms, GatewayTimeQuality::holdover)).action == ClockAction::postpone);
}

TEST_CASE("a measurement whose uncertainty reaches the tolerance is not acted on", "[meter_clock][policy]") {
    MeterClockPolicy p(settable());
    const auto d = p.decide(check_at(mid, 3s, 500ms));
    CHECK(d.action == ClockAction::refuse);
    CHECK(d.reason == ClockReason::uncertain);
    CHECK_FALSE(d.large_offset);
    CHECK(p.decide(check_at(mid, 3s, 499ms)).action == ClockAction::set);
    // Even a huge offset: a slow round trip is no basis for an alarm either.
    CHECK_FALSE(p.decide(check_at(mid, 1h, 2s)).large_offset);
}

TEST_CASE("a check-only meter is never set but its large errors still alarm", "[meter_clock][policy]") {
    auto c = settable();
    c.set = false;
    MeterClockPolicy p(c);
    const auto d = p.decide(check_at(mid, 2s));
    CHECK(d.action == ClockAction::refuse);
    CHECK(d.reason == ClockReason::set_not_allowed);
    CHECK_FALSE(d.large_offset);
    CHECK(p.decide(check_at(mid, 10min)).large_offset);
    p.force_next_set();  // the operator's force does not override set: false
    CHECK(p.decide(check_at(mid, 10min)).reason == ClockReason::set_not_allowed);
}

TEST_CASE("a set over a protocol not in protocols is not allowed", "[meter_clock][policy]") {
    MeterClockPolicy p(settable());  // protocols: [dnp3]
    auto check = check_at(mid, 2s);
    check.protocol = ClockProtocol::dlms;
    CHECK(p.decide(check).reason == ClockReason::set_not_allowed);
    check.protocol = ClockProtocol::dnp3;
    CHECK(p.decide(check).action == ClockAction::set);
}
