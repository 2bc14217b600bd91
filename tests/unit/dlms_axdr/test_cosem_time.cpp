// COSEM date-time: the 12-octet codec, complete(), the deviation and its sign, text.
#include <catch2/catch.hpp>

#include <ctime>

#include "axdr_test.hpp"
#include "gridgate/dlms/cosem_time.hpp"

using namespace gridgate;
using namespace gridgate::dlms;
using namespace gridgate::dlms::test;

namespace {

CosemDateTime parse(const char* text) {
    const auto t = decode_date_time(hex(text));
    if (!t) throw std::runtime_error("not 12 octets");
    return *t;
}

// µs of a UTC wall time, computed independently with timegm.
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

}  // namespace

TEST_CASE("date-time octets decode field by field and encode back") {
    const auto bytes = hex("07 EA 0A 19 07 02 1E 00 00 FF 88 80");
    const CosemDateTime t = parse("07 EA 0A 19 07 02 1E 00 00 FF 88 80");
    CHECK(t.year == 2026);
    CHECK(t.month == 10);
    CHECK(t.day == 25);
    CHECK(t.day_of_week == 7);
    CHECK(t.hour == 2);
    CHECK(t.minute == 30);
    CHECK(t.second == 0);
    CHECK(t.hundredths == 0);
    CHECK(t.deviation == -120);
    CHECK(t.status == 0x80);
    CHECK(t.dst());
    CHECK(t.complete());
    const auto again = encode_date_time(t);
    CHECK(std::vector<std::uint8_t>(again.begin(), again.end()) == bytes);

    CHECK_FALSE(decode_date_time(hex("07 EA 0A 19 07 02 1E 00 00 FF 88")));
    CHECK_FALSE(decode_date_time(hex("07 EA 0A 19 07 02 1E 00 00 FF 88 80 00")));
}

TEST_CASE("unspecified and special fields are kept as sent") {
    const CosemDateTime all = parse("FF FF FF FF FF FF FF FF FF 80 00 FF");
    CHECK(all == CosemDateTime{});
    CHECK_FALSE(all.has_deviation());
    CHECK_FALSE(all.has_status());
    CHECK_FALSE(all.dst());
    CHECK_FALSE(all.complete());
    CHECK(to_string(all) == "*-*-* *:*:* dev=* st=*");

    // Month 0xFE / 0xFD (DST begin / end), day 0xFE / 0xFD (last / second last day): the
    // clock object's DST attributes use them.
    const CosemDateTime dst_begin = parse("FF FF FE FE 07 02 00 00 00 80 00 FF");
    CHECK(dst_begin.month == 0xFE);
    CHECK(dst_begin.day == 0xFE);
    CHECK(to_string(dst_begin) == "*-dst-begin-last 02:00:00.00 dev=* st=*");
    const CosemDateTime dst_end = parse("07 EA FD FD FF 03 00 00 FF 80 00 FF");
    CHECK(dst_end.month == 0xFD);
    CHECK(dst_end.day == 0xFD);
    CHECK(to_string(dst_end) == "2026-dst-end-last-1 03:00:00 dev=* st=*");
    CHECK_FALSE(dst_end.complete());
    const auto round = encode_date_time(dst_end);
    CHECK(std::vector<std::uint8_t>(round.begin(), round.end()) == hex("07 EA FD FD FF 03 00 00 FF 80 00 FF"));
}

TEST_CASE("complete() needs every field from year to second in range") {
    CosemDateTime t = parse("07 E8 02 1D 04 17 3B 3B FF 80 00 FF");  // 2024-02-29 23:59:59, leap year
    CHECK(t.complete());
    t.day = 30;
    CHECK_FALSE(t.complete());
    t = parse("07 E9 02 1D 06 00 00 00 FF 80 00 FF");  // 2025-02-29 does not exist
    CHECK_FALSE(t.complete());
    t = parse("07 D0 02 1D 02 00 00 00 FF 80 00 FF");  // 2000 is a leap year
    CHECK(t.complete());
    t = parse("07 6C 02 1D 02 00 00 00 FF 80 00 FF");  // 1900 is not
    CHECK_FALSE(t.complete());
    for (const char* bad : {"FF FF 01 01 FF 00 00 00 FF 80 00 FF", "07 EA 00 01 FF 00 00 00 FF 80 00 FF",
                            "07 EA 0D 01 FF 00 00 00 FF 80 00 FF", "07 EA 01 00 FF 00 00 00 FF 80 00 FF",
                            "07 EA 04 1F FF 00 00 00 FF 80 00 FF", "07 EA 01 01 FF 18 00 00 FF 80 00 FF",
                            "07 EA 01 01 FF 00 3C 00 FF 80 00 FF", "07 EA 01 01 FF 00 00 3C FF 80 00 FF",
                            "07 EA 01 01 FF FF 00 00 FF 80 00 FF", "07 EA 01 01 FF 00 FF 00 FF 80 00 FF",
                            "07 EA 01 01 FF 00 00 FF FF 80 00 FF"}) {
        INFO(bad);
        CHECK_FALSE(parse(bad).complete());
        CHECK_FALSE(to_utc_us(parse(bad)));
    }
}

TEST_CASE("the deviation follows the Blue Book sign: UTC = local + deviation") {
    // CET winter: 2026-01-15 12:00 local, deviation -60 -> 11:00 UTC.
    const CosemDateTime winter = parse("07 EA 01 0F 04 0C 00 00 00 FF C4 00");
    CHECK(to_utc_us(winter) == utc(2026, 1, 15, 11, 0));
    // CEST summer: 2026-07-15 12:00 local, deviation -120 -> 10:00 UTC.
    const CosemDateTime summer = parse("07 EA 07 0F 03 0C 00 00 00 FF 88 80");
    CHECK(to_utc_us(summer) == utc(2026, 7, 15, 10, 0));
    // A meter that uses the ISO sign sends +60 / +120 for the same instants.
    const TimeInterpretation iso{DeviationSign::iso, std::nullopt, false, {}};
    CHECK(to_utc_us(parse("07 EA 01 0F 04 0C 00 00 00 00 3C 00"), iso) == utc(2026, 1, 15, 11, 0));
    CHECK(to_utc_us(parse("07 EA 07 0F 03 0C 00 00 00 00 78 80"), iso) == utc(2026, 7, 15, 10, 0));
    // The same octets read with the wrong sign land two offsets away: the setting matters.
    CHECK(to_utc_us(winter, iso) == utc(2026, 1, 15, 13, 0));
    // US Eastern in the Blue Book sign: EST is UTC-5, so the deviation is +300.
    CHECK(to_utc_us(parse("07 EA 01 0F 04 0C 00 00 00 01 2C 00")) == utc(2026, 1, 15, 17, 0));
}

TEST_CASE("a captured Kaifa frame's clock decodes to the UTC instant it was sent") {
    // 07E8 06 0F 06 14 17 2D 00 FF88 80 from an Austrian Kaifa MA309 (amsreader-firmware
    // issue 809), captured at 2024-06-15 20:23:45+02:00: local time, deviation -120, DST.
    const CosemDateTime t = parse("07 E8 06 0F 06 14 17 2D 00 FF 88 80");
    CHECK(to_string(t) == "2024-06-15 20:23:45.00 dev=-120 st=80");
    CHECK(to_utc_us(t) == TimestampUs{1718475825} * 1'000'000);
}

TEST_CASE("deviation 0x8000, hundredths and bad values") {
    // No deviation and no zone: the fields are taken as UTC.
    CosemDateTime t = parse("07 EA 03 1D 07 02 00 00 FF 80 00 FF");
    CHECK(to_utc_us(t) == utc(2026, 3, 29, 2, 0));
    // Hundredths count; 0xFF is 0.
    t.hundredths = 99;
    CHECK(to_utc_us(t) == utc(2026, 3, 29, 2, 0) + 990'000);
    t.hundredths = 100;
    CHECK_FALSE(to_utc_us(t));
    // A deviation beyond any real zone is garbage, not an offset.
    t = parse("07 EA 03 1D 07 02 00 00 00 7F FF 00");
    CHECK_FALSE(to_utc_us(t));
    t.deviation = -840;  // UTC+14 (Kiribati) is real
    CHECK(to_utc_us(t) == utc(2026, 3, 28, 12, 0));
    t.deviation = 841;
    CHECK_FALSE(to_utc_us(t));
    // ignore_deviation with no zone: the fields as UTC.
    t.deviation = -60;
    CHECK(to_utc_us(t, TimeInterpretation{DeviationSign::blue_book, std::nullopt, true, {}}) == utc(2026, 3, 29, 2, 0));
}

TEST_CASE("date-time text and the Data that carries one") {
    CHECK(to_string(parse("07 EA 0A 19 07 02 1E 00 00 FF 88 80")) == "2026-10-25 02:30:00.00 dev=-120 st=80");
    CHECK(to_string(parse("00 05 01 02 FF 03 04 05 06 00 00 00")) == "0005-01-02 03:04:05.06 dev=0 st=00");
    const auto octets = hex("07 EA 0A 19 07 02 1E 00 00 FF 88 80");
    CHECK(date_time_of(Data::date_time(std::span<const std::uint8_t, 12>(octets.data(), 12))) ==
          parse("07 EA 0A 19 07 02 1E 00 00 FF 88 80"));
    // The reference meter's logs carry timestamps in 12-octet octet-strings.
    CHECK(date_time_of(Data::octet_string(octets)) == parse("07 EA 0A 19 07 02 1E 00 00 FF 88 80"));
    CHECK_FALSE(date_time_of(Data::octet_string({1, 2, 3})));
    CHECK_FALSE(date_time_of(Data::visible_string("2026-10-25")));
}
