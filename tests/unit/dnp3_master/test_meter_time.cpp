// DNP3 times of an outstation that keeps UTC or local time, around DST changes.
#include <catch2/catch.hpp>

#include "gridgate/dnp3/meter_time.hpp"

using namespace gridgate;
using namespace gridgate::dnp3;

namespace {

constexpr std::int64_t hour_us = 3'600'000'000;
constexpr std::int64_t minute_us = 60'000'000;

DnpTime local_ms(int y, int mo, int d, int h, int mi, int s = 0, int ms = 0) {
    const LocalTime t = LocalTime::from_civil(y, mo, d, h, mi, s);
    return static_cast<DnpTime>(t.seconds * 1000 + ms);
}

}  // namespace

TEST_CASE("meter time in UTC is the DNP3 time itself") {
    const std::optional<TimeZone> utc;
    CHECK(meter_time_to_utc(1'700'000'000'123, utc, 0) == 1'700'000'000'123'000);
    CHECK(utc_to_meter_time(1'700'000'000'123'999, utc) == 1'700'000'000'123);
}

TEST_CASE("meter local time: an ordinary instant both ways") {
    const std::optional<TimeZone> ny = TimeZone::load("America/New_York");
    const TimestampUs utc = 1'772'953'200'000'000 + 7 * 24 * hour_us + 250'000;  // 2026-03-15 07:00:00.25Z = 03:00 EDT
    CHECK(utc_to_meter_time(utc, ny) == local_ms(2026, 3, 15, 3, 0, 0, 250));
    CHECK(meter_time_to_utc(local_ms(2026, 3, 15, 3, 0, 0, 250), ny, utc) == utc);
}

TEST_CASE("meter local time in the repeated fall-back hour: the instant nearer the gateway's") {
    const std::optional<TimeZone> ny = TimeZone::load("America/New_York");
    const TimestampUs five_z = 1'793'509'200'000'000;  // 2026-11-01 05:00Z = 01:00 EDT
    const DnpTime one_thirty = local_ms(2026, 11, 1, 1, 30, 0, 250);
    // Gateway in the first pass (EDT): 05:30:00.25Z; in the second (EST): 06:30:00.25Z.
    CHECK(meter_time_to_utc(one_thirty, ny, five_z + 31 * minute_us) == five_z + 30 * minute_us + 250'000);
    CHECK(meter_time_to_utc(one_thirty, ny, five_z + 89 * minute_us) == five_z + 90 * minute_us + 250'000);
    // Both passes write the same local time.
    CHECK(utc_to_meter_time(five_z + 30 * minute_us, ny) == utc_to_meter_time(five_z + 90 * minute_us, ny));
}

TEST_CASE("meter local time in the skipped spring-forward hour: read with the offset nearer the gateway's") {
    const std::optional<TimeZone> ny = TimeZone::load("America/New_York");
    const TimestampUs seven_z = 1'772'953'200'000'000;  // 2026-03-08 07:00Z = 03:00 EDT, just after the gap
    const DnpTime two_thirty = local_ms(2026, 3, 8, 2, 30);  // never shown by a correct clock
    CHECK(meter_time_to_utc(two_thirty, ny, seven_z - 20 * minute_us) == seven_z - 30 * minute_us);  // as EDT
    CHECK(meter_time_to_utc(two_thirty, ny, seven_z + 20 * minute_us) == seven_z + 30 * minute_us);  // as EST
}

TEST_CASE("meter local time in an EU zone across its fall-back") {
    const std::optional<TimeZone> berlin = TimeZone::load("Europe/Berlin");
    const TimestampUs midnight_z = 1'792'886'400'000'000;  // 2026-10-25 00:00Z = 02:00 CEST
    CHECK(utc_to_meter_time(midnight_z, berlin) == local_ms(2026, 10, 25, 2, 0));
    CHECK(utc_to_meter_time(midnight_z + hour_us, berlin) == local_ms(2026, 10, 25, 2, 0));  // 02:00 CET
    CHECK(meter_time_to_utc(local_ms(2026, 10, 25, 2, 10), berlin, midnight_z + 70 * minute_us) ==
          midnight_z + 70 * minute_us);
}
