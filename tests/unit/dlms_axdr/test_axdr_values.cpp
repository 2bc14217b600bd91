// Reading values out of a Data (as_double, as_int, as_text), the tag names and the trace
// text of describe().
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "axdr_test.hpp"

using namespace gridgate::dlms;
using namespace gridgate::dlms::test;

TEST_CASE("every numeric tag reads as a double") {
    CHECK(Data::integer8(-2).as_double() == -2.0);
    CHECK(Data::long16(-300).as_double() == -300.0);
    CHECK(Data::double_long(-70000).as_double() == -70000.0);
    CHECK(Data::long64(-5000000000).as_double() == -5000000000.0);
    CHECK(Data::unsigned8(200).as_double() == 200.0);
    CHECK(Data::long_unsigned(65535).as_double() == 65535.0);
    CHECK(Data::double_long_unsigned(4000000000u).as_double() == 4000000000.0);
    CHECK(Data::long64_unsigned(1ull << 60).as_double() == std::ldexp(1.0, 60));
    CHECK(Data::enumeration(30).as_double() == 30.0);
    CHECK(Data::bcd(0x12).as_double() == 18.0);
    CHECK(Data::float32(2.15625f).as_double() == 2.15625);
    CHECK(Data::float64(-1.5).as_double() == -1.5);
    // Decoded values too, not only factory-built ones.
    CHECK(decode_all(hex("06 00 00 04 D2")).as_double() == 1234.0);
    CHECK(decode_all(hex("17 40 0A 00 00")).as_double() == 2.15625);

    for (const Data& d : {Data::null(), Data::boolean(true), Data::octet_string({1}), Data::visible_string("1"),
                          Data::array({Data::unsigned8(1)}), Data::dont_care()}) {
        INFO(describe(d));
        CHECK_FALSE(d.is_number());
        CHECK_FALSE(d.as_double());
        CHECK_FALSE(d.as_int());
    }
    CHECK(Data::bcd(1).is_number());
    CHECK(Data::enumeration(1).is_number());
    CHECK(Data::float32(1).is_number());
}

TEST_CASE("integer tags read as int64, unsigned ones when they fit") {
    CHECK(Data::integer8(-128).as_int() == -128);
    CHECK(Data::long64(std::numeric_limits<std::int64_t>::min()).as_int() == std::numeric_limits<std::int64_t>::min());
    CHECK(Data::double_long_unsigned(0xFFFFFFFFu).as_int() == 0xFFFFFFFFll);
    CHECK(Data::long64_unsigned(0x7FFFFFFFFFFFFFFFull).as_int() == std::numeric_limits<std::int64_t>::max());
    CHECK_FALSE(Data::long64_unsigned(0x8000000000000000ull).as_int());
    CHECK(Data::enumeration(3).as_int() == 3);
    CHECK_FALSE(Data::float32(1.0f).as_int());
    CHECK_FALSE(Data::float64(1.0).as_int());
}

TEST_CASE("text comes from visible and utf8 strings and printable octet-strings") {
    CHECK(Data::visible_string("JEMStar").as_text() == "JEMStar");
    CHECK(Data::utf8_string("\xC3\xA9t\xC3\xA9").as_text() == "\xC3\xA9t\xC3\xA9");
    CHECK(decode_all(hex("09 08 31 32 33 34 35 36 37 38")).as_text() == "12345678");  // a serial number
    CHECK(Data::octet_string({}).as_text() == "");
    CHECK_FALSE(Data::octet_string({0, 0, 1, 0, 0, 255}).as_text());
    CHECK_FALSE(Data::octet_string({'A', 0x7F}).as_text());
    CHECK_FALSE(Data::octet_string({'A', '\n'}).as_text());
    CHECK_FALSE(Data::double_long_unsigned(1).as_text());
}

TEST_CASE("booleans hold 0 or 1 and factories fill the member the header names") {
    CHECK(Data::boolean(true).unsigned_value == 1);
    CHECK(Data::boolean(false).unsigned_value == 0);
    CHECK(Data::integer8(-1).integer == -1);
    CHECK(Data::enumeration(9).unsigned_value == 9);
    CHECK(Data::float32(0.5f).real == 0.5);
    const Data bits = Data::bit_string({0xFF, 0xFF, 0xFF}, 9);  // resized to 2 octets
    CHECK(bits.bytes.size() == 2);
    CHECK(bits.bit_count == 9);
    CHECK(Data::bit_string({}, 12).bytes == hex("00 00"));
    CHECK(Data::null().tag == DataTag::null_data);
}

TEST_CASE("tag names follow the Blue Book") {
    CHECK(std::string(to_string(DataTag::double_long_unsigned)) == "double-long-unsigned");
    CHECK(std::string(to_string(DataTag::long_)) == "long");
    CHECK(std::string(to_string(DataTag::enum_)) == "enum");
    CHECK(std::string(to_string(DataTag::date_time)) == "date-time");
    CHECK(std::string(to_string(DataTag::dont_care)) == "dont-care");
    CHECK(std::string(to_string(static_cast<DataTag>(7))) == "unknown");
}

TEST_CASE("describe writes compact trace text") {
    CHECK(describe(Data::null()) == "null");
    CHECK(describe(Data::dont_care()) == "dont-care");
    CHECK(describe(Data::boolean(true)) == "true");
    CHECK(describe(Data::integer8(-5)) == "-5");
    CHECK(describe(Data::long_unsigned(3)) == "3");
    CHECK(describe(Data::double_long_unsigned(1234)) == "1234u");
    CHECK(describe(Data::long64_unsigned(7)) == "7u");
    CHECK(describe(Data::enumeration(3)) == "enum(3)");
    CHECK(describe(Data::bcd(0x12)) == "bcd(0x12)");
    CHECK(describe(Data::float32(12.5f)) == "12.5f");
    CHECK(describe(Data::float32(2.0f)) == "2.0f");
    CHECK(describe(Data::float32(0.1f)) == "0.1f");
    CHECK(describe(Data::float64(12.5)) == "12.5");
    CHECK(describe(Data::float64(1e300)) == "1e+300");
    CHECK(describe(Data::float64(std::nan(""))) == "nan");
    CHECK(describe(Data::float32(-std::numeric_limits<float>::infinity())) == "-inff");
    CHECK(describe(Data::visible_string("ABC")) == "\"ABC\"");
    CHECK(describe(Data::visible_string("a\"b\n")) == "\"a\\x22b\\x0A\"");
    CHECK(describe(Data::utf8_string("\xC3\xA9")) == "u8\"\\xC3\\xA9\"");
    CHECK(describe(Data::octet_string({'A', 'B', 'C'})) == "o\"ABC\"");
    CHECK(describe(Data::octet_string({1, 0, 1, 8, 0, 255})) == "[1.0.1.8.0.255]");
    CHECK(describe(Data::octet_string({0x0A, 0xFF})) == "'0AFF'H");
    CHECK(describe(Data::octet_string({})) == "''H");
    CHECK(describe(Data::bit_string({0xA8}, 5)) == "b'10101'");
    CHECK(describe(decode_all(hex("19 07 EA 03 1D 07 02 00 00 FF FF C4 80"))) == "dt(2026-03-29 02:00:00 dev=-60 st=80)");
    CHECK(describe(decode_all(hex("19 07 EA 0A 19 07 02 1E 00 00 FF 88 80"))) ==
          "dt(2026-10-25 02:30:00.00 dev=-120 st=80)");
    CHECK(describe(decode_all(hex("1A 07 EA FE FD FF"))) == "date(2026-dst-begin-last-1)");
    CHECK(describe(decode_all(hex("1B 17 3B FF FF"))) == "time(23:59:*)");
    CHECK(describe(Data::array({Data::unsigned8(1), Data::structure({Data::long16(-1), Data::null()})})) ==
          "[1 {-1 null}]");
    CHECK(describe(Data::structure({Data::long_unsigned(3), Data::octet_string({1, 0, 1, 8, 0, 255}),
                                    Data::integer8(2), Data::long_unsigned(0)})) == "{3 [1.0.1.8.0.255] 2 0}");
    // A hand-built misfit is described, not thrown at.
    Data odd;
    odd.tag = DataTag::date_time;
    odd.bytes = {1, 2};
    CHECK(describe(odd) == "date-time('0102'H)");
}
