// Per-slave late-reply guard and dead-slave backoff.
#include <catch2/catch.hpp>

#include "gridgate/modbus/rtu_slave_health.hpp"

using namespace gridgate;
using namespace gridgate::modbus;
using namespace std::chrono_literals;

namespace {

SlaveHealthOptions options(unsigned k = 2) {
    SlaveHealthOptions o;
    o.timeouts_before_backoff = k;
    o.backoff_initial = 1s;
    o.backoff_max = 8s;
    return o;
}

const SteadyTime t0 = SteadyTime{} + 1h;

}  // namespace

TEST_CASE("a healthy slave is sent to") {
    SlaveHealth h(options(), 1);
    CHECK(h.admit(t0) == SlaveHealth::Admission::send);
    CHECK(h.may_send(t0));
}

TEST_CASE("after a timeout the slave waits out the late-reply guard") {
    SlaveHealth h(options(), 1);
    CHECK_FALSE(h.on_timeout(t0, 500ms));
    CHECK_FALSE(h.may_send(t0 + 499ms));
    CHECK(h.may_send(t0 + 500ms));
    CHECK(h.admit(t0 + 1ms) == SlaveHealth::Admission::send);  // not backed off yet
}

TEST_CASE("K consecutive timeouts back the slave off, then one probe is let through") {
    SlaveHealth h(options(2), 1);
    CHECK_FALSE(h.on_timeout(t0, 100ms));
    const auto period = h.on_timeout(t0 + 1s, 100ms);
    REQUIRE(period);
    CHECK(*period >= 500ms);  // jitter: [ceiling / 2, ceiling], first ceiling 1 s
    CHECK(*period <= 1s);
    CHECK(h.backing_off(t0 + 1s));
    CHECK(h.admit(t0 + 1s + *period - 1us) == SlaveHealth::Admission::backed_off);
    CHECK(h.admit(t0 + 1s + *period) == SlaveHealth::Admission::probe);
    // The probe is the only one: the slave is no longer backing off until it fails again.
    CHECK(h.admit(t0 + 1s + *period) == SlaveHealth::Admission::send);
}

TEST_CASE("the backoff grows exponentially up to the maximum") {
    SlaveHealth h(options(1), 7);
    SteadyTime now = t0;
    Duration ceiling = 1s;
    for (int i = 0; i < 8; ++i) {
        const auto period = h.on_timeout(now, 100ms);
        REQUIRE(period);
        INFO("round " << i);
        CHECK(*period >= ceiling / 2);
        CHECK(*period <= ceiling);
        ceiling = std::min<Duration>(ceiling * 2, 8s);
        now += *period;
        CHECK(h.admit(now) == SlaveHealth::Admission::probe);
    }
}

TEST_CASE("an answer makes the slave healthy again and resets the backoff") {
    SlaveHealth h(options(1), 3);
    for (int i = 0; i < 4; ++i) REQUIRE(h.on_timeout(t0, 100ms));
    CHECK(h.on_answer());
    CHECK(h.consecutive_timeouts() == 0);
    CHECK_FALSE(h.backing_off(t0));
    CHECK(h.admit(t0) == SlaveHealth::Admission::send);
    const auto period = h.on_timeout(t0, 100ms);
    REQUIRE(period);
    CHECK(*period <= 1s);  // back to the initial ceiling
    CHECK_FALSE(SlaveHealth(options(), 1).on_answer());  // was not failing
}
