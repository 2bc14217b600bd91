// measure_offset: the midpoint rule, its sign and its uncertainty.
#include <catch2/catch.hpp>

#include "gridgate/meterclock/offset.hpp"

using namespace gridgate;
using namespace gridgate::meterclock;
using namespace std::chrono_literals;

namespace {
constexpr TimestampUs t0 = 1'750'000'000'000'000;  // 2025-06-15T15:06:40Z
}

TEST_CASE("a meter 2 s fast over symmetric delays reads +2 s within half the round trip", "[meter_clock][offset]") {
    // Request leaves at t0, takes 100 ms each way; the meter reads its clock on arrival.
    const TimestampUs meter = t0 + 100'000 + 2'000'000;
    const auto m = measure_offset(t0, meter, t0 + 200'000);
    REQUIRE(m);
    CHECK(m->offset == 2s);
    CHECK(m->uncertainty == 100ms);
}

TEST_CASE("a slow meter has a negative offset", "[meter_clock][offset]") {
    const auto m = measure_offset(t0, t0 + 5'000 - 1'500'000, t0 + 10'000);
    REQUIRE(m);
    CHECK(m->offset == -1500ms);
    CHECK(m->uncertainty == 5ms);
}

TEST_CASE("asymmetric delays stay within the uncertainty", "[meter_clock][offset]") {
    // 20 ms out, 380 ms back (a slow serial answer): the meter read its clock at t0+20ms.
    // Its true offset is +300 ms; the midpoint rule errs by 180 ms, inside the +-200 ms bound.
    const Duration true_offset = 300ms;
    const TimestampUs meter = t0 + 20'000 + true_offset.count();
    const auto m = measure_offset(t0, meter, t0 + 400'000);
    REQUIRE(m);
    CHECK(m->offset == 120ms);
    CHECK(m->uncertainty == 200ms);
    const auto error = m->offset - true_offset;
    CHECK(error <= m->uncertainty);
    CHECK(-error <= m->uncertainty);

    // All the delay on the way out: the worst case hits the bound exactly.
    const auto worst = measure_offset(t0, t0 + 400'000 + true_offset.count(), t0 + 400'000);
    REQUIRE(worst);
    CHECK(worst->offset - true_offset == worst->uncertainty);
}

TEST_CASE("an odd round trip rounds the uncertainty up", "[meter_clock][offset]") {
    const auto m = measure_offset(t0, t0, t0 + 3);
    REQUIRE(m);
    CHECK(m->uncertainty == Duration{2});
}

TEST_CASE("a meter reporting whole seconds is read as the middle of its second", "[meter_clock][offset]") {
    // Gateway midpoint t0 + 50 ms; the meter truncates t0 + 50 ms + 300 ms to t0.
    const auto m = measure_offset(t0, t0, t0 + 100'000, 1s);
    REQUIRE(m);
    CHECK(m->offset == 450ms);
    CHECK(m->uncertainty == 550ms);
}

TEST_CASE("a gateway clock stepping back during the exchange gives no measurement", "[meter_clock][offset]") {
    CHECK_FALSE(measure_offset(t0, t0, t0 - 1));
    CHECK(measure_offset(t0, t0, t0));
}
