// Calendar arithmetic behind LocalTime, against epoch values computed independently
// (Python datetime).
#include <catch2/catch.hpp>

#include "gridgate/core/time_zone.hpp"

using namespace gridgate;

TEST_CASE("civil dates map to the known epoch seconds") {
    CHECK(LocalTime::from_civil(1970, 1, 1).seconds == 0);
    CHECK(LocalTime::from_civil(2026, 3, 8, 7).seconds == 1'772'953'200);
    CHECK(LocalTime::from_civil(2026, 11, 1, 6).seconds == 1'793'512'800);
    CHECK(LocalTime::from_civil(2026, 3, 29, 1).seconds == 1'774'746'000);
    CHECK(LocalTime::from_civil(2026, 10, 25, 1).seconds == 1'792'890'000);
    CHECK(LocalTime::from_civil(1969, 12, 31, 23).seconds == -3600);
    CHECK(LocalTime::from_civil(2100, 3, 1).seconds == 4'107'542'400);  // 2100 is not leap
    CHECK(LocalTime::from_civil(1600, 2, 29).seconds == -11'670'998'400);
}

TEST_CASE("civil fields out of range roll over") {
    CHECK(LocalTime::from_civil(2026, 1, 32) == LocalTime::from_civil(2026, 2, 1));
    CHECK(LocalTime::from_civil(2026, 13, 1) == LocalTime::from_civil(2027, 1, 1));
    CHECK(LocalTime::from_civil(2026, 0, 1) == LocalTime::from_civil(2025, 12, 1));
    CHECK(LocalTime::from_civil(2026, 3, 8, 25) == LocalTime::from_civil(2026, 3, 9, 1));
    CHECK(LocalTime::from_civil(2026, 3, 8, 0, 0, 0, 1'500'000) == LocalTime{LocalTime::from_civil(2026, 3, 8, 0, 0, 1).seconds, 500'000});
}

TEST_CASE("local times format back to their calendar fields") {
    CHECK(format_local_time(LocalTime::from_civil(2026, 11, 1, 1, 30, 0, 123)) == "2026-11-01T01:30:00.000123");
    CHECK(format_local_time(LocalTime::from_civil(1969, 12, 31, 23, 59, 59)) == "1969-12-31T23:59:59.000000");
    CHECK(format_local_time(LocalTime::from_civil(2024, 2, 29, 12)) == "2024-02-29T12:00:00.000000");
    CHECK(format_local_time(LocalTime::from_civil(2100, 12, 31, 23, 0)) == "2100-12-31T23:00:00.000000");
    // Every day of four centuries round-trips (catches month/leap-year slips).
    for (std::int64_t day = -146'097 * 2; day < 146'097 * 2; day += 1) {
        const LocalTime t{day * 86'400 + 3'723, 0};
        const std::string text = format_local_time(t);
        const int y = std::stoi(text.substr(0, text.size() - 22));
        const int m = std::stoi(text.substr(text.size() - 21, 2));
        const int d = std::stoi(text.substr(text.size() - 18, 2));
        REQUIRE(LocalTime::from_civil(y, m, d, 1, 2, 3) == t);
    }
}
