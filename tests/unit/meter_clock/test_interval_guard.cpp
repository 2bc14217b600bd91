// Interval boundaries and the guard window around them.
#include <catch2/catch.hpp>

#include "gridgate/meterclock/interval_guard.hpp"

using namespace gridgate;
using namespace gridgate::meterclock;
using namespace std::chrono_literals;

namespace {
constexpr TimestampUs hour = 3'600'000'000;
constexpr TimestampUs minute = 60'000'000;
constexpr TimestampUs second = 1'000'000;
// 2025-01-06T10:00:00Z, a whole hour.
constexpr TimestampUs ten_oclock = 1'736'157'600'000'000;
static_assert(ten_oclock % hour == 0);
}  // namespace

TEST_CASE("15-minute boundaries fall on the quarter hours", "[meter_clock][guard]") {
    CHECK(boundary_at_or_before(ten_oclock, 15min) == ten_oclock);
    CHECK(boundary_at_or_before(ten_oclock + 14 * minute, 15min) == ten_oclock);
    CHECK(boundary_at_or_before(ten_oclock + 15 * minute, 15min) == ten_oclock + 15 * minute);
    CHECK(boundary_at_or_before(ten_oclock - 1, 15min) == ten_oclock - 15 * minute);
    // Before 1970 too (floor, not truncation).
    CHECK(boundary_at_or_before(-1, 15min) == -15 * minute);
}

TEST_CASE("the guard window covers both sides of a boundary and ends at boundary + guard", "[meter_clock][guard]") {
    const TimestampUs b = ten_oclock + 15 * minute;
    SECTION("before the boundary") {
        const auto w = guard_window_at(b - 10 * second, 15min, 30s);
        REQUIRE(w);
        CHECK(w->boundary == b);
        CHECK(w->start == b - 30 * second);
        CHECK(w->end == b + 30 * second);
    }
    SECTION("after the boundary") {
        const auto w = guard_window_at(b + 29 * second, 15min, 30s);
        REQUIRE(w);
        CHECK(w->boundary == b);
        CHECK(w->end == b + 30 * second);
    }
    SECTION("the edges: start inside, end outside") {
        CHECK(guard_window_at(b - 30 * second, 15min, 30s));
        CHECK_FALSE(guard_window_at(b - 30 * second - 1, 15min, 30s));
        CHECK(guard_window_at(b + 30 * second - 1, 15min, 30s));
        CHECK_FALSE(guard_window_at(b + 30 * second, 15min, 30s));
    }
    SECTION("mid-interval is outside") { CHECK_FALSE(guard_window_at(b + 7 * minute, 15min, 30s)); }
    SECTION("guard 0 disables it") { CHECK_FALSE(guard_window_at(b, 15min, 0s)); }
}

TEST_CASE("intervals follow the meter's local clock in a 45-minute zone", "[meter_clock][guard]") {
    // Nepal, UTC+5:45: a 60-minute interval ends at local hh:00 = UTC hh:15.
    const Duration nepal = 5h + 45min;
    CHECK(boundary_at_or_before(ten_oclock + 20 * minute, 60min, nepal) == ten_oclock + 15 * minute);
    CHECK(guard_window_at(ten_oclock + 15 * minute + 5 * second, 60min, 30s, nepal));
    // Without the offset, UTC 10:15 is mid-interval and 10:00 a boundary.
    CHECK_FALSE(guard_window_at(ten_oclock + 15 * minute + 5 * second, 60min, 30s));
    CHECK_FALSE(guard_window_at(ten_oclock, 60min, 30s, nepal));
    // India, UTC+5:30: 15-minute intervals still align with UTC, hourly ones do not.
    CHECK(boundary_at_or_before(ten_oclock + minute, 15min, 5h + 30min) == ten_oclock);
    CHECK(boundary_at_or_before(ten_oclock + minute, 60min, 5h + 30min) == ten_oclock - 30 * minute);
    // Negative offsets (EDT) in whole hours change nothing for hourly intervals.
    CHECK(boundary_at_or_before(ten_oclock + minute, 60min, -4h) == ten_oclock);
}
