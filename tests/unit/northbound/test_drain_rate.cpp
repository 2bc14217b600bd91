// The exponentially smoothed drain rate, with time stepped by hand.
#include <catch2/catch.hpp>
#include <chrono>

#include "gridgate/northbound/drain_rate.hpp"

using gridgate::SteadyTime;
using gridgate::northbound::DrainRate;
using namespace std::chrono_literals;

namespace {
const SteadyTime t0 = SteadyTime{} + 5000s;
}

TEST_CASE("a steady acknowledgement rate reads as that rate, from the first seconds on") {
    DrainRate rate(t0);
    CHECK(rate.readings_per_s(t0) == 0.0);
    // 500 readings (50 kB) every 100 ms: 5000 readings/s, 500 kB/s.
    SteadyTime now = t0;
    for (int i = 1; i <= 20; ++i) {
        now = t0 + i * 100ms;
        rate.record(500, 50'000, now);
    }
    CHECK(rate.readings_per_s(now) == Approx(5000).epsilon(0.05));
    CHECK(rate.bytes_per_s(now) == Approx(500'000).epsilon(0.05));
    for (int i = 21; i <= 600; ++i) {
        now = t0 + i * 100ms;
        rate.record(500, 50'000, now);
    }
    CHECK(rate.readings_per_s(now) == Approx(5000).epsilon(0.02));
}

TEST_CASE("the rate follows a change within about ten seconds and decays while idle") {
    DrainRate rate(t0);
    SteadyTime now = t0;
    for (int i = 1; i <= 600; ++i) {  // 60 s at 1000/s
        now = t0 + i * 100ms;
        rate.record(100, 0, now);
    }
    CHECK(rate.readings_per_s(now) == Approx(1000).epsilon(0.02));
    const SteadyTime change = now;
    for (int i = 1; i <= 300; ++i) {  // 30 s at 3000/s: three time constants
        now = change + i * 100ms;
        rate.record(300, 0, now);
    }
    CHECK(rate.readings_per_s(now) == Approx(3000 - 2000 * 0.0498).epsilon(0.02));
    // Nothing acknowledged for 10 s: e^-1 of the rate is left; after 60 s next to nothing.
    CHECK(rate.readings_per_s(now + 10s) == Approx(rate.readings_per_s(now) * 0.3679).epsilon(0.01));
    CHECK(rate.readings_per_s(now + 60s) < 10);
    CHECK(rate.bytes_per_s(now) == 0.0);
}

TEST_CASE("reset forgets the past") {
    DrainRate rate(t0);
    rate.record(1000, 1000, t0 + 1s);
    CHECK(rate.readings_per_s(t0 + 1s) > 0);
    rate.reset(t0 + 2s);
    CHECK(rate.readings_per_s(t0 + 3s) == 0.0);
}
