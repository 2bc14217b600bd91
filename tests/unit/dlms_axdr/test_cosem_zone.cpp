// Local time zones and DST: which instants a meter's local fields name when it leaves the
// deviation out, around the EU and US transitions, and what a meter in a zone shows.
#include <catch2/catch.hpp>

#include <ctime>
#include <set>

#include "gridgate/dlms/cosem_time.hpp"

using namespace gridgate;
using namespace gridgate::dlms;

namespace {

constexpr TimestampUs hour_us = 3'600'000'000LL;
constexpr LocalZone cet{60, DstRule::eu, 60};
constexpr LocalZone eastern{-300, DstRule::us, 60};

TimestampUs utc(int y, int mo, int d, int h, int mi, int s = 0) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return static_cast<TimestampUs>(timegm(&tm)) * 1'000'000;
}

CosemDateTime local(int y, int mo, int d, int h, int mi, std::uint8_t status = clock_status::not_specified) {
    CosemDateTime t;
    t.year = static_cast<std::uint16_t>(y);
    t.month = static_cast<std::uint8_t>(mo);
    t.day = static_cast<std::uint8_t>(d);
    t.hour = static_cast<std::uint8_t>(h);
    t.minute = static_cast<std::uint8_t>(mi);
    t.second = 0;
    t.status = status;
    return t;
}

TimeInterpretation in_zone(const LocalZone& z) { return TimeInterpretation{DeviationSign::blue_book, z, false, {}}; }

}  // namespace

TEST_CASE("DST rules switch at the documented instants") {
    // EU: last Sunday of March and of October, 01:00 UTC.
    CHECK_FALSE(cet.dst_active_at(utc(2026, 3, 29, 0, 59, 59)));
    CHECK(cet.dst_active_at(utc(2026, 3, 29, 1, 0)));
    CHECK(cet.dst_active_at(utc(2026, 10, 25, 0, 59, 59)));
    CHECK_FALSE(cet.dst_active_at(utc(2026, 10, 25, 1, 0)));
    CHECK(cet.offset_at(utc(2026, 7, 1, 12, 0)) == 120);
    CHECK(cet.offset_at(utc(2026, 1, 1, 12, 0)) == 60);
    // The EU instant is the same in every EU zone (here UK time, offset 0).
    constexpr LocalZone uk{0, DstRule::eu, 60};
    CHECK(uk.dst_active_at(utc(2027, 3, 28, 1, 0)));
    CHECK_FALSE(uk.dst_active_at(utc(2027, 3, 28, 0, 59)));
    // US: second Sunday of March 02:00 standard time, first Sunday of November 02:00
    // daylight time; for Eastern 07:00 and 06:00 UTC.
    CHECK_FALSE(eastern.dst_active_at(utc(2026, 3, 8, 6, 59, 59)));
    CHECK(eastern.dst_active_at(utc(2026, 3, 8, 7, 0)));
    CHECK(eastern.dst_active_at(utc(2026, 11, 1, 5, 59, 59)));
    CHECK_FALSE(eastern.dst_active_at(utc(2026, 11, 1, 6, 0)));
    // 2027: March 14 and November 7.
    CHECK(eastern.dst_active_at(utc(2027, 3, 14, 7, 0)));
    CHECK_FALSE(eastern.dst_active_at(utc(2027, 3, 7, 12, 0)));
    CHECK(eastern.dst_active_at(utc(2027, 11, 7, 5, 59)));
    CHECK_FALSE(eastern.dst_active_at(utc(2027, 11, 7, 6, 0)));
    constexpr LocalZone none{60, DstRule::none, 60};
    CHECK_FALSE(none.dst_active_at(utc(2026, 7, 1, 12, 0)));
    CHECK(none.offset_at(utc(2026, 7, 1, 12, 0)) == 60);

    CHECK(parse_dst_rule("eu") == DstRule::eu);
    CHECK(parse_dst_rule("us") == DstRule::us);
    CHECK(parse_dst_rule("none") == DstRule::none);
    CHECK_FALSE(parse_dst_rule("EU"));
    CHECK_FALSE(parse_dst_rule(""));
    CHECK(std::string(to_string(DstRule::us)) == "us");
}

TEST_CASE("the two 02:30 of the EU fall-back day") {
    // 2026-10-25: 02:00..02:59 local happens twice, first CEST (00:xx UTC), then CET (01:xx).
    CHECK(to_utc_us(local(2026, 10, 25, 2, 30, 0x80), in_zone(cet)) == utc(2026, 10, 25, 0, 30));
    CHECK(to_utc_us(local(2026, 10, 25, 2, 30, 0x00), in_zone(cet)) == utc(2026, 10, 25, 1, 30));
    // Without a status bit: the first pass.
    CHECK(to_utc_us(local(2026, 10, 25, 2, 30), in_zone(cet)) == utc(2026, 10, 25, 0, 30));
    // Other status bits do not change which one.
    CHECK(to_utc_us(local(2026, 10, 25, 2, 30, 0x82), in_zone(cet)) == utc(2026, 10, 25, 0, 30));
    CHECK(to_utc_us(local(2026, 10, 25, 2, 30, 0x02), in_zone(cet)) == utc(2026, 10, 25, 1, 30));
    // Outside the repeated hour the bit is not needed (and a wrong one is not believed).
    CHECK(to_utc_us(local(2026, 10, 25, 1, 30, 0x00), in_zone(cet)) == utc(2026, 10, 24, 23, 30));
    CHECK(to_utc_us(local(2026, 10, 25, 3, 30, 0x80), in_zone(cet)) == utc(2026, 10, 25, 2, 30));
    // With a deviation the deviation decides, whatever the zone says.
    CosemDateTime with_dev = local(2026, 10, 25, 2, 30, 0x00);
    with_dev.deviation = -120;
    CHECK(to_utc_us(with_dev, in_zone(cet)) == utc(2026, 10, 25, 0, 30));
    // ... unless the meter's deviation is known to be wrong.
    with_dev.deviation = 0;
    TimeInterpretation ignore = in_zone(cet);
    ignore.ignore_deviation = true;
    CHECK(to_utc_us(with_dev, ignore) == utc(2026, 10, 25, 1, 30));
}

TEST_CASE("the EU fall-back day has 25 hours, each its own UTC hour") {
    // Hourly instants from local midnight (22:00 UTC the day before) to the next midnight.
    const TimestampUs start = utc(2026, 10, 24, 22, 0);
    std::set<TimestampUs> seen;
    std::vector<int> hours;
    for (int i = 0; i < 25; ++i) {
        const TimestampUs at = start + i * hour_us;
        CosemDateTime shown = from_utc_us(at, cet);
        REQUIRE(shown.day == 25);
        hours.push_back(shown.hour);
        CHECK(to_utc_us(shown) == at);  // with the deviation
        shown.deviation = CosemDateTime::deviation_not_specified;
        const auto back = to_utc_us(shown, in_zone(cet));  // local fields and the DST bit only
        REQUIRE(back);
        CHECK(*back == at);
        seen.insert(*back);
    }
    CHECK(seen.size() == 25);
    CHECK(hours == std::vector<int>{0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                                    22, 23});
    CHECK(from_utc_us(start + 25 * hour_us, cet).day == 26);
}

TEST_CASE("the EU spring-forward day has 23 hours") {
    const TimestampUs start = utc(2026, 3, 28, 23, 0);
    std::vector<int> hours;
    for (int i = 0; i < 23; ++i) {
        const TimestampUs at = start + i * hour_us;
        CosemDateTime shown = from_utc_us(at, cet);
        REQUIRE(shown.day == 29);
        hours.push_back(shown.hour);
        shown.deviation = CosemDateTime::deviation_not_specified;
        shown.status = clock_status::not_specified;  // not needed outside the fall-back hour
        CHECK(to_utc_us(shown, in_zone(cet)) == at);
    }
    CHECK(hours == std::vector<int>{0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23});
    CHECK(from_utc_us(start + 23 * hour_us, cet).day == 30);
    // 02:30 does not exist that day: read with standard time unless the bit says DST.
    CHECK(to_utc_us(local(2026, 3, 29, 2, 30), in_zone(cet)) == utc(2026, 3, 29, 1, 30));
    CHECK(to_utc_us(local(2026, 3, 29, 2, 30, 0x80), in_zone(cet)) == utc(2026, 3, 29, 0, 30));
}

TEST_CASE("US rule days: 2026-03-08 and 2026-11-01") {
    // Spring: 01:59 EST is followed by 03:00 EDT.
    CosemDateTime t = from_utc_us(utc(2026, 3, 8, 6, 59), eastern);
    CHECK(to_string(t) == "2026-03-08 01:59:00.00 dev=300 st=00");
    t = from_utc_us(utc(2026, 3, 8, 7, 0), eastern);
    CHECK(to_string(t) == "2026-03-08 03:00:00.00 dev=240 st=80");
    CHECK(to_utc_us(local(2026, 3, 8, 3, 0), in_zone(eastern)) == utc(2026, 3, 8, 7, 0));
    CHECK(to_utc_us(local(2026, 3, 8, 1, 0), in_zone(eastern)) == utc(2026, 3, 8, 6, 0));
    // Fall: 01:00..01:59 twice, EDT (05:xx UTC) then EST (06:xx UTC).
    t = from_utc_us(utc(2026, 11, 1, 5, 30), eastern);
    CHECK(to_string(t) == "2026-11-01 01:30:00.00 dev=240 st=80");
    t = from_utc_us(utc(2026, 11, 1, 6, 30), eastern);
    CHECK(to_string(t) == "2026-11-01 01:30:00.00 dev=300 st=00");
    CHECK(to_utc_us(local(2026, 11, 1, 1, 30), in_zone(eastern)) == utc(2026, 11, 1, 5, 30));
    CHECK(to_utc_us(local(2026, 11, 1, 1, 30, 0x80), in_zone(eastern)) == utc(2026, 11, 1, 5, 30));
    CHECK(to_utc_us(local(2026, 11, 1, 1, 30, 0x00), in_zone(eastern)) == utc(2026, 11, 1, 6, 30));
    CHECK(to_utc_us(local(2026, 11, 1, 2, 0), in_zone(eastern)) == utc(2026, 11, 1, 7, 0));
    // The fall-back day has 25 distinct hours here too.
    std::set<TimestampUs> seen;
    for (int i = 0; i < 25; ++i) {
        CosemDateTime shown = from_utc_us(utc(2026, 11, 1, 4, 0) + i * hour_us, eastern);
        shown.deviation = CosemDateTime::deviation_not_specified;
        seen.insert(*to_utc_us(shown, in_zone(eastern)));
    }
    CHECK(seen.size() == 25);
}

TEST_CASE("from_utc_us fills every field a meter shows") {
    const CosemDateTime t = from_utc_us(utc(2026, 10, 25, 0, 30, 15) + 123'456, cet);
    CHECK(t.year == 2026);
    CHECK(t.month == 10);
    CHECK(t.day == 25);
    CHECK(t.day_of_week == 7);  // Sunday
    CHECK(t.hour == 2);
    CHECK(t.minute == 30);
    CHECK(t.second == 15);
    CHECK(t.hundredths == 12);
    CHECK(t.deviation == -120);
    CHECK(t.status == 0x80);
    CHECK(from_utc_us(utc(2026, 10, 25, 0, 30), cet, DeviationSign::iso).deviation == 120);
    CHECK(from_utc_us(utc(2026, 1, 1, 0, 0), LocalZone{}).day_of_week == 4);  // a Thursday
    CHECK(from_utc_us(utc(2026, 1, 5, 0, 0), LocalZone{}).day_of_week == 1);  // a Monday
    // Before 1970 the arithmetic floors.
    const CosemDateTime before = from_utc_us(-10'000, LocalZone{});
    CHECK(to_string(before) == "1969-12-31 23:59:59.99 dev=0 st=00");
    CHECK(before.day_of_week == 3);
    // A zone without DST: fixed offset, status 00.
    const CosemDateTime india = from_utc_us(utc(2026, 6, 1, 0, 0), LocalZone{330, DstRule::none, 60});
    CHECK(to_string(india) == "2026-06-01 05:30:00.00 dev=-330 st=00");
    CHECK(to_utc_us(india) == utc(2026, 6, 1, 0, 0));
}

TEST_CASE("from_utc_us and to_utc_us agree over years of hours") {
    // Every 7 hours for three years, in both rule sets and both signs.
    for (const LocalZone& z : {cet, eastern, LocalZone{-480, DstRule::us, 60}, LocalZone{120, DstRule::eu, 60}}) {
        for (TimestampUs at = utc(2025, 1, 1, 0, 0); at < utc(2028, 1, 1, 0, 0); at += 7 * hour_us) {
            const CosemDateTime bb = from_utc_us(at, z);
            const CosemDateTime iso = from_utc_us(at, z, DeviationSign::iso);
            REQUIRE(to_utc_us(bb) == at);
            REQUIRE(to_utc_us(iso, TimeInterpretation{DeviationSign::iso, std::nullopt, false, {}}) == at);
            CosemDateTime no_dev = bb;
            no_dev.deviation = CosemDateTime::deviation_not_specified;
            REQUIRE(to_utc_us(no_dev, in_zone(z)) == at);
        }
    }
}
