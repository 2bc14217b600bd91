// A-XDR Data against encodings written out by hand from IEC 62056-6-2 (tag, then the value
// big-endian; strings and sequences with a length or count), both ways.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "axdr_test.hpp"

using namespace gridgate::dlms;
using namespace gridgate::dlms::test;

namespace {

struct Vector {
    const char* hex_text;
    Data value;
};

}  // namespace

TEST_CASE("every Data type encodes to the hand-written octets and decodes back") {
    const std::vector<std::uint8_t> dt = hex("07 EA 0A 19 07 02 1E 00 00 FF 88 80");
    const std::vector<std::uint8_t> date = hex("07 EA 03 1D 07");
    const std::vector<std::uint8_t> time = hex("02 1E 00 FF");
    const std::vector<Vector> vectors = {
        {"00", Data::null()},
        {"03 00", Data::boolean(false)},
        {"03 01", Data::boolean(true)},
        {"04 05 A8", Data::bit_string({0xA8}, 5)},  // 10101
        {"04 0A 80 40", Data::bit_string({0x80, 0x40}, 10)},
        {"05 FF FF FF FF", Data::double_long(-1)},
        {"05 80 00 00 00", Data::double_long(std::numeric_limits<std::int32_t>::min())},
        {"06 00 00 04 D2", Data::double_long_unsigned(1234)},
        {"06 FF FF FF FF", Data::double_long_unsigned(0xFFFFFFFFu)},
        {"09 06 01 00 01 08 00 FF", Data::octet_string({1, 0, 1, 8, 0, 255})},
        {"09 00", Data::octet_string({})},
        {"0A 03 41 42 43", Data::visible_string("ABC")},
        {"0C 02 C3 A9", Data::utf8_string("\xC3\xA9")},
        {"0D 12", Data::bcd(0x12)},
        {"0F FE", Data::integer8(-2)},
        {"0F 7F", Data::integer8(127)},
        {"10 FE D4", Data::long16(-300)},
        {"11 C8", Data::unsigned8(200)},
        {"12 12 34", Data::long_unsigned(0x1234)},
        {"14 FF FF FF FF FF FF FF FE", Data::long64(-2)},
        {"14 80 00 00 00 00 00 00 00", Data::long64(std::numeric_limits<std::int64_t>::min())},
        {"15 FF FF FF FF FF FF FF FF", Data::long64_unsigned(std::numeric_limits<std::uint64_t>::max())},
        {"16 03", Data::enumeration(3)},
        {"17 40 0A 00 00", Data::float32(2.15625f)},
        {"17 C2 F6 E9 79", Data::float32(-123.456f)},
        {"18 BF F8 00 00 00 00 00 00", Data::float64(-1.5)},
        {"18 40 09 21 FB 54 44 2D 18", Data::float64(3.141592653589793)},
        {"19 07 EA 0A 19 07 02 1E 00 00 FF 88 80", Data::date_time(std::span<const std::uint8_t, 12>(dt.data(), 12))},
        {"1A 07 EA 03 1D 07", Data::date(std::span<const std::uint8_t, 5>(date.data(), 5))},
        {"1B 02 1E 00 FF", Data::time(std::span<const std::uint8_t, 4>(time.data(), 4))},
        {"FF", Data::dont_care()},
        {"01 00", Data::array({})},
        {"01 02 12 00 01 12 00 02", Data::array({Data::long_unsigned(1), Data::long_unsigned(2)})},
        {"02 00", Data::structure({})},
    };
    for (const auto& v : vectors) {
        INFO(v.hex_text << " = " << describe(v.value));
        CHECK(encoded(v.value) == to_text(hex(v.hex_text)));
        CHECK(decode_all(hex(v.hex_text)) == v.value);
    }
}

TEST_CASE("a capture object structure decodes as the Blue Book lays it out") {
    // {class_id long-unsigned 8, logical_name 0.0.1.0.0.255, attribute integer 2, data_index 0}
    const auto bytes = hex("02 04 12 00 08 09 06 00 00 01 00 00 FF 0F 02 12 00 00");
    const Data d = decode_all(bytes);
    REQUIRE(d.tag == DataTag::structure);
    REQUIRE(d.items.size() == 4);
    CHECK(d.items[0] == Data::long_unsigned(8));
    CHECK(d.items[1] == Data::octet_string({0, 0, 1, 0, 0, 255}));
    CHECK(d.items[2] == Data::integer8(2));
    CHECK(d.items[3] == Data::long_unsigned(0));
    CHECK(encode_data(d) == bytes);
    CHECK(describe(d) == "{8 [0.0.1.0.0.255] 2 0}");
}

TEST_CASE("a profile buffer of the reference meter's shape round-trips") {
    // array of {date-time, status double-long-unsigned, float32 x 2}, the layout of the
    // JEMStar II load profile (meter-dlms.md, checklist item 4).
    const auto bytes = hex(
        "01 02"
        " 02 04 19 07 EA 03 1D 07 01 00 00 00 FF C4 00 06 00 00 00 00 17 40 0A 00 00 17 BF C0 00 00"
        " 02 04 19 07 EA 03 1D 07 03 00 00 00 FF 88 80 06 00 00 00 01 17 00 00 00 00 17 7F C0 00 00");
    const Data d = decode_all(bytes);
    REQUIRE(d.items.size() == 2);
    CHECK(d.items[0].items[2].real == 2.15625);
    CHECK(d.items[0].items[3].real == -1.5);
    CHECK(std::isnan(d.items[1].items[3].real));
    CHECK(d.items[1].items[1] == Data::double_long_unsigned(1));
    CHECK(encode_data(d) == bytes);
}

TEST_CASE("a boolean decodes any non-zero octet as true and encodes true as 01") {
    for (const char* text : {"03 01", "03 FF", "03 80", "03 02"}) {
        INFO(text);
        CHECK(decode_all(hex(text)) == Data::boolean(true));
    }
    CHECK(encoded(decode_all(hex("03 FF"))) == "03 01");
    CHECK(decode_all(hex("03 00")) == Data::boolean(false));
}

TEST_CASE("lengths take one octet below 0x80 and 0x81 / 0x82 forms above") {
    auto enc = [](std::size_t n) {
        std::vector<std::uint8_t> out;
        encode_length(n, out);
        return to_text(out);
    };
    CHECK(enc(0) == "00");
    CHECK(enc(0x7F) == "7F");
    CHECK(enc(0x80) == "81 80");
    CHECK(enc(0xFF) == "81 FF");
    CHECK(enc(0x100) == "82 01 00");
    CHECK(enc(0xFFFF) == "82 FF FF");
    CHECK(enc(0x10000) == "83 01 00 00");

    using Len = std::pair<std::size_t, std::size_t>;
    CHECK(decode_length(hex("05 AA")) == Len{5, 1});
    CHECK(decode_length(hex("81 80")) == Len{0x80, 2});
    CHECK(decode_length(hex("82 01 2C")) == Len{300, 3});
    CHECK(decode_length(hex("83 01 00 00")) == Len{0x10000, 4});
    CHECK(decode_length(hex("84 FF FF FF FF")) == Len{0xFFFFFFFFu, 5});
    CHECK(decode_length(hex("81 05")) == Len{5, 2});  // longer than needed, still read
    CHECK_FALSE(decode_length({}));
    CHECK_FALSE(decode_length(hex("81")));
    CHECK_FALSE(decode_length(hex("82 01")));
    CHECK_FALSE(decode_length(hex("84 01 02 03")));
    CHECK_FALSE(decode_length(hex("80 00")));              // BER indefinite form
    CHECK_FALSE(decode_length(hex("85 00 00 00 00 01")));  // over 4 octets
}

TEST_CASE("long strings and sequences use the long length forms") {
    std::vector<std::uint8_t> two_hundred(200, 0x41);
    const Data s200 = Data::octet_string(two_hundred);
    auto bytes = encode_data(s200);
    REQUIRE(bytes.size() == 203);
    CHECK(to_text({bytes.begin(), bytes.begin() + 4}) == "09 81 C8 41");
    CHECK(decode_all(bytes) == s200);

    std::vector<Data> items(300, Data::unsigned8(7));
    const Data a300 = Data::array(items);
    bytes = encode_data(a300);
    REQUIRE(bytes.size() == 1 + 3 + 300 * 2);
    CHECK(to_text({bytes.begin(), bytes.begin() + 6}) == "01 82 01 2C 11 07");
    CHECK(decode_all(bytes) == a300);

    // The 0x83 and 0x84 forms a sender may use for short values too, and a non-minimal
    // 0x81: decoded the same, encoded back in the shortest form.
    CHECK(decode_all(hex("0A 83 00 00 03 41 42 43")) == Data::visible_string("ABC"));
    CHECK(decode_all(hex("0A 84 00 00 00 03 41 42 43")) == Data::visible_string("ABC"));
    const Data short81 = decode_all(hex("09 81 03 01 02 03"));
    CHECK(encoded(short81) == "09 03 01 02 03");
    CHECK(decode_all(hex("02 81 01 00")) == Data::structure({Data::null()}));
}

TEST_CASE("decoding stops after one Data and reports what it took") {
    const auto r = decode_data(hex("12 00 08 0F 02 FF"));
    REQUIRE(r.data);
    CHECK(*r.data == Data::long_unsigned(8));
    CHECK(r.consumed == 3);
    CHECK(r.error.empty());
}

TEST_CASE("date-time, date and time keep their octets as sent") {
    // Unspecified and special values are data, not errors: month 0xFE (DST begin), day
    // 0xFD (second last day), deviation 0x8000, status 0xFF.
    const auto bytes = hex("19 FF FF FE FD FF 02 00 00 FF 80 00 FF");
    const Data d = decode_all(bytes);
    CHECK(d.bytes == hex("FF FF FE FD FF 02 00 00 FF 80 00 FF"));
    CHECK(encode_data(d) == bytes);
    CHECK(decode_all(hex("1A FF FF FF FF FF")).bytes == hex("FF FF FF FF FF"));
    CHECK(decode_all(hex("1B FF FF FF FF")).bytes == hex("FF FF FF FF"));
}

TEST_CASE("bit-strings keep the bits beyond the count as sent") {
    // 3 bits 101 with the unused low bits set: kept, so the octets re-encode exactly.
    const Data d = decode_all(hex("04 03 BF"));
    CHECK(d.bit_count == 3);
    CHECK(d.bytes == hex("BF"));
    CHECK(encoded(d) == "04 03 BF");
    CHECK(describe(d) == "b'101'");
    CHECK(decode_all(hex("04 00")) == Data::bit_string({}, 0));
    CHECK(decode_all(hex("04 08 A5")).bytes == hex("A5"));
    CHECK(decode_all(hex("04 09 A5 80")).bytes == hex("A5 80"));
}
