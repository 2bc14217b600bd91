#include <catch2/catch.hpp>

#include "sftp_schedule.hpp"

using namespace gridgate;
using namespace gridgate::northbound;

namespace {

// 2023-11-14T00:00:00Z plus a time of day.
TimestampUs at(int hour, int minute, int second = 0) {
    constexpr TimestampUs midnight = 1'699'920'000'000'000;
    return midnight + ((hour * 60 + minute) * 60 + second) * TimestampUs{1'000'000};
}

}  // namespace

TEST_CASE("a plain window holds its start minute but not its end minute", "[sftp][window]") {
    const TimeWindow w{120, 360};  // 02:00-06:00
    CHECK_FALSE(w.contains(119));
    CHECK(w.contains(120));
    CHECK(w.contains(359));
    CHECK_FALSE(w.contains(360));
    CHECK(TimeWindow{}.contains(0));
    CHECK(TimeWindow{}.contains(1439));
}

TEST_CASE("a window with end before start wraps past midnight", "[sftp][window]") {
    const TimeWindow night{22 * 60, 6 * 60};
    CHECK(night.contains(22 * 60));
    CHECK(night.contains(1439));
    CHECK(night.contains(0));
    CHECK(night.contains(359));
    CHECK_FALSE(night.contains(360));
    CHECK_FALSE(night.contains(12 * 60));
    CHECK_FALSE(night.contains(22 * 60 - 1));
}

TEST_CASE("minute of the UTC day from a timestamp, also before 1970", "[sftp][window]") {
    CHECK(minute_of_day_utc(at(0, 0)) == 0);
    CHECK(minute_of_day_utc(at(13, 37, 59)) == 13 * 60 + 37);
    CHECK(minute_of_day_utc(at(23, 59, 59)) == 1439);
    CHECK(minute_of_day_utc(-1) == 1439);             // 1969-12-31T23:59:59.999999Z
    CHECK(minute_of_day_utc(-60'000'001) == 1438);
}

TEST_CASE("no windows means always and several windows are a union", "[sftp][window]") {
    CHECK(in_any_window({}, at(3, 0)));
    const std::vector<TimeWindow> windows{{60, 120}, {22 * 60, 30}};
    CHECK(in_any_window(windows, at(1, 30)));
    CHECK(in_any_window(windows, at(23, 0)));
    CHECK(in_any_window(windows, at(0, 29, 59)));
    CHECK_FALSE(in_any_window(windows, at(0, 30)));
    CHECK_FALSE(in_any_window(windows, at(12, 0)));
}

TEST_CASE("time until the next window opens", "[sftp][window]") {
    const std::vector<TimeWindow> windows{{60, 120}, {22 * 60, 30}};
    CHECK(until_window_opens(windows, at(1, 0)) == Duration::zero());
    CHECK(until_window_opens(windows, at(0, 30)) == std::chrono::minutes(30));
    CHECK(until_window_opens(windows, at(0, 59, 30)) == std::chrono::seconds(30));
    CHECK(until_window_opens(windows, at(12, 0)) == std::chrono::hours(10));
    CHECK(until_window_opens({{22 * 60, 23 * 60}}, at(23, 0, 1)) ==
          std::chrono::hours(23) - std::chrono::seconds(1));
    CHECK(until_window_opens({}, at(5, 0)) == Duration::zero());
}

TEST_CASE("unusable windows are named", "[sftp][window]") {
    CHECK(window_problem({0, 1440}).empty());
    CHECK(window_problem({1439, 1}).empty());
    CHECK_FALSE(window_problem({-1, 10}).empty());
    CHECK_FALSE(window_problem({1440, 10}).empty());
    CHECK_FALSE(window_problem({0, 0}).empty());
    CHECK_FALSE(window_problem({0, 1441}).empty());
    CHECK_FALSE(window_problem({600, 600}).empty());
}
