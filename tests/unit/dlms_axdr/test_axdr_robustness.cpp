// What a meter (or a line) may send that is not a valid Data: truncation at every octet,
// lengths and counts that lie, nesting and element bombs, unknown tags. Each is an error
// with a place, never an exception, a crash or a large allocation.
#include <catch2/catch.hpp>

#include <random>

#include "axdr_test.hpp"

using namespace gridgate::dlms;
using namespace gridgate::dlms::test;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::vector<std::uint8_t> nested_arrays(std::size_t depth) {
    std::vector<std::uint8_t> bytes;
    for (std::size_t i = 0; i < depth; ++i) {
        bytes.push_back(0x01);
        bytes.push_back(0x01);
    }
    bytes.push_back(0x00);
    return bytes;
}

}  // namespace

TEST_CASE("every truncation of a valid encoding is an error") {
    const std::vector<const char*> encodings = {
        "03 01",
        "04 0A 80 40",
        "05 FF FF FF FF",
        "06 00 00 04 D2",
        "09 06 01 00 01 08 00 FF",
        "0A 03 41 42 43",
        "0C 02 C3 A9",
        "10 FE D4",
        "12 12 34",
        "14 FF FF FF FF FF FF FF FE",
        "15 00 00 00 00 00 00 00 01",
        "17 40 0A 00 00",
        "18 BF F8 00 00 00 00 00 00",
        "19 07 EA 0A 19 07 02 1E 00 00 FF 88 80",
        "1A 07 EA 03 1D 07",
        "1B 02 1E 00 FF",
        "09 81 80" /* then 128 octets, added below */,
        "02 04 12 00 08 09 06 00 00 01 00 00 FF 0F 02 12 00 00",
        "01 02 02 02 11 01 0A 01 41 02 02 11 02 0A 01 42",
    };
    for (const char* text : encodings) {
        auto bytes = hex(text);
        if (bytes.size() == 3 && bytes[1] == 0x81) bytes.resize(3 + 0x80, 0x55);
        REQUIRE(decode_data(bytes).data);
        for (std::size_t n = 0; n < bytes.size(); ++n) {
            const std::vector<std::uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
            const auto r = decode_data(prefix);
            INFO(text << " cut to " << n << ": " << r.error);
            CHECK_FALSE(r.data);
            CHECK(r.consumed == 0);
            CHECK(contains(r.error, "truncated"));
            CHECK(contains(r.error, "at offset"));
        }
    }
}

TEST_CASE("errors name what failed and where") {
    CHECK(decode_data({}).error == "truncated data (no tag) at offset 0");
    CHECK(decode_data(hex("09 06 01 02")).error == "truncated octet-string at offset 0");
    CHECK(decode_data(hex("02 02 12 00 01 09 05 41")).error == "truncated octet-string at offset 5");
    CHECK(decode_data(hex("02 02 11 01 07")).error == "unknown tag 0x07 at offset 4");
    CHECK(decode_data(hex("01 05 11 01 11 02")).error == "truncated array at offset 0");
    CHECK(decode_data(hex("01 03 11 01 11 02")).error == "truncated data (no tag) at offset 6");
    CHECK(decode_data(hex("01 02 11 01 11")).error == "truncated unsigned at offset 4");
    CHECK(decode_data(hex("01 02 11 01")).error == "truncated data (no tag) at offset 4");
    CHECK(decode_data(hex("0A 85 00 00 00 00 01 41")).error == "bad length octet 0x85 in visible-string at offset 1");
    CHECK(decode_data(hex("01 80 00")).error == "bad length octet 0x80 in array at offset 1");
    CHECK(decode_data(hex("04 82 01")).error == "truncated bit-string at offset 0");
}

TEST_CASE("unknown tags and compact-array are errors") {
    for (const std::uint8_t tag : {0x07, 0x08, 0x0B, 0x0E, 0x1C, 0x20, 0x80, 0xFE}) {
        const std::vector<std::uint8_t> bytes = {tag, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
        const auto r = decode_data(bytes);
        INFO(int(tag) << ": " << r.error);
        CHECK_FALSE(r.data);
        CHECK(contains(r.error, "unknown tag"));
        CHECK(contains(r.error, "at offset 0"));
    }
    // compact-array {contents-description long-unsigned, array-contents 2 octets}
    const auto r = decode_data(hex("13 12 02 00 01"));
    CHECK_FALSE(r.data);
    CHECK(r.error == "compact-array not supported at offset 0");
    CHECK(decode_data(hex("02 01 13 12 02 00 01")).error == "compact-array not supported at offset 2");
}

TEST_CASE("hostile counts and lengths fail before allocating") {
    // Four billion elements or octets announced in a few octets of input: each is refused
    // because fewer octets follow than the count needs, before a vector is sized.
    for (const char* text : {"01 84 FF FF FF FF 00 00", "02 84 FF FF FF FF 00", "09 84 FF FF FF FF 41",
                             "0A 84 FF FF FF FF", "0C 83 FF FF FF", "04 84 FF FF FF FF 00",
                             "01 01 01 84 7F FF FF FF 00"}) {
        const auto r = decode_data(hex(text));
        INFO(text << ": " << r.error);
        CHECK_FALSE(r.data);
        CHECK(contains(r.error, "truncated"));
    }
}

TEST_CASE("the element budget counts every array and structure element") {
    const AxdrLimits limits{16, 10};
    std::vector<std::uint8_t> ten = {0x01, 0x0A};
    ten.resize(2 + 10, 0x00);
    CHECK(decode_all(ten, limits).items.size() == 10);

    std::vector<std::uint8_t> eleven = {0x01, 0x0B};
    eleven.resize(2 + 11, 0x00);
    auto r = decode_data(eleven, limits);
    CHECK_FALSE(r.data);
    CHECK(r.error == "more than 10 elements at offset 0");

    // 2 structures of 4 = 10 elements in all with the outer array: fits; 3 + 4 + 3 fits
    // too, and then one more does not.
    const auto two = hex("01 02 02 04 00 00 00 00 02 04 00 00 00 00");
    CHECK(decode_data(two, limits).data);
    const auto three = hex("01 03 02 04 00 00 00 00 02 03 00 00 00 02 01 00");
    r = decode_data(three, limits);
    CHECK_FALSE(r.data);
    CHECK(r.error == "more than 10 elements at offset 13");

    // The default budget stops an element bomb that the input size would allow.
    std::vector<std::uint8_t> bomb = {0x01, 0x83, 0x10, 0x00, 0x01};  // 0x100001 = 2^20 + 1
    bomb.resize(bomb.size() + 0x100001, 0x00);
    r = decode_data(bomb);
    CHECK_FALSE(r.data);
    CHECK(r.error == "more than 1048576 elements at offset 0");
}

TEST_CASE("nesting is bounded by max_depth") {
    CHECK(decode_data(nested_arrays(16)).data);
    auto r = decode_data(nested_arrays(17));
    CHECK_FALSE(r.data);
    CHECK(r.error == "nesting deeper than 16 at offset 32");

    r = decode_data(nested_arrays(3), AxdrLimits{2, 100});
    CHECK(r.error == "nesting deeper than 2 at offset 4");
    CHECK(decode_data(nested_arrays(2), AxdrLimits{2, 100}).data);
    CHECK_FALSE(decode_data(hex("02 00"), AxdrLimits{0, 100}).data);
    CHECK(decode_data(hex("11 05"), AxdrLimits{0, 100}).data);

    // A hundred thousand levels: refused at level 17 without recursing further.
    r = decode_data(nested_arrays(100000));
    CHECK(r.error == "nesting deeper than 16 at offset 32");
}

TEST_CASE("random input decodes or fails cleanly, and what decodes re-encodes") {
    std::mt19937 rng(62056);
    std::size_t decoded = 0;
    for (int round = 0; round < 20000; ++round) {
        std::vector<std::uint8_t> bytes(rng() % 24);
        for (auto& b : bytes) {
            // Mostly small values, so that tags and counts are often valid.
            b = static_cast<std::uint8_t>(rng() % 4 == 0 ? rng() : rng() % 28);
        }
        const auto r = decode_data(bytes);
        if (!r.data) {
            CHECK_FALSE(r.error.empty());
            continue;
        }
        ++decoded;
        REQUIRE(r.consumed <= bytes.size());
        const auto again = decode_data(encode_data(*r.data));
        REQUIRE(again.data);
        // NaN floats are the one value not equal to itself; compare their encodings.
        CHECK(encode_data(*again.data) == encode_data(*r.data));
    }
    CHECK(decoded > 1000);
}

TEST_CASE("encode_data refuses a Data that does not fit its tag") {
    Data dt = Data::octet_string(hex("07 EA 0A 19 07 02 1E 00 00 FF 88"));
    dt.tag = DataTag::date_time;  // 11 octets
    CHECK_THROWS_AS(encode_data(dt), std::invalid_argument);
    Data bits = Data::bit_string({0xFF}, 8);
    bits.bit_count = 9;
    CHECK_THROWS_AS(encode_data(bits), std::invalid_argument);
    Data compact;
    compact.tag = DataTag::compact_array;
    CHECK_THROWS_AS(encode_data(compact), std::invalid_argument);
    Data unknown;
    unknown.tag = static_cast<DataTag>(7);
    CHECK_THROWS_AS(encode_data(unknown), std::invalid_argument);
    Data big = Data::integer8(0);
    big.integer = 128;
    CHECK_THROWS_AS(encode_data(big), std::invalid_argument);
    big.integer = -129;
    CHECK_THROWS_AS(encode_data(big), std::invalid_argument);
    big.integer = -128;
    CHECK(encoded(big) == "0F 80");
    Data wide = Data::long_unsigned(0);
    wide.unsigned_value = 0x10000;
    CHECK_THROWS_AS(encode_data(wide), std::invalid_argument);
    Data huge = Data::float32(0);
    huge.real = 1e300;
    CHECK_THROWS_AS(encode_data(huge), std::invalid_argument);
    huge.real = std::numeric_limits<double>::infinity();
    CHECK(encoded(huge) == "17 7F 80 00 00");
}
