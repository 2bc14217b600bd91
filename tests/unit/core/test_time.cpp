#include <catch2/catch.hpp>

#include "gridgate/core/reading.hpp"
#include "gridgate/core/time.hpp"

using namespace gridgate;
using namespace std::chrono_literals;

TEST_CASE("durations parse with their units") {
    Duration d{};
    REQUIRE(parse_duration("250ms", d));
    CHECK(d == 250ms);
    REQUIRE(parse_duration("15m", d));
    CHECK(d == 15min);
    REQUIRE(parse_duration("15min", d));
    CHECK(d == 15min);
    REQUIRE(parse_duration("2h", d));
    CHECK(d == 2h);
    REQUIRE(parse_duration("1500us", d));
    CHECK(d == 1500us);
    REQUIRE(parse_duration("30d", d));
    CHECK(d == std::chrono::hours(720));
    REQUIRE(parse_duration("0s", d));
    CHECK(d == 0s);
}

TEST_CASE("durations without a unit or with garbage are refused") {
    Duration d{};
    CHECK_FALSE(parse_duration("15", d));
    CHECK_FALSE(parse_duration("", d));
    CHECK_FALSE(parse_duration("-5s", d));
    CHECK_FALSE(parse_duration("5 s", d));
    CHECK_FALSE(parse_duration("5days", d));
    CHECK_FALSE(parse_duration("99999999999999999999h", d));
    CHECK_FALSE(parse_duration("9999999999999h", d));
}

TEST_CASE("durations format back to the largest exact unit") {
    CHECK(format_duration(15min) == "15m");
    CHECK(format_duration(90s) == "90s");
    CHECK(format_duration(250ms) == "250ms");
    CHECK(format_duration(1500us) == "1500us");
    CHECK(format_duration(2h) == "2h");
    CHECK(format_duration(48h) == "2d");
}

TEST_CASE("timestamps format as ISO-8601 UTC with microseconds") {
    CHECK(format_iso8601_utc(0) == "1970-01-01T00:00:00.000000Z");
    CHECK(format_iso8601_utc(1'795'000'000'123'456) == "2026-11-18T11:06:40.123456Z");
    CHECK(format_iso8601_utc(-1) == "1969-12-31T23:59:59.999999Z");
}

TEST_CASE("quality flags have stable names") {
    CHECK(quality_names(quality::good) == std::vector<std::string_view>{"good"});
    CHECK(quality_names(quality::invalid | quality::refilled) ==
          std::vector<std::string_view>{"invalid", "refilled"});
    CHECK(quality_names(quality::clock_step) == std::vector<std::string_view>{"clock_step"});
}
