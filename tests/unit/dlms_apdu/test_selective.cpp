// Selective access on profile buffers: the range and entry descriptors as the client
// encodes them inside a GET-Request, and the server's parsing of what clients send.
#include <catch2/catch.hpp>

#include "apdu_test.hpp"

using namespace gridgate::dlms;
using gridgate::dlms::test::hex;
using gridgate::dlms::test::must;
using gridgate::dlms::test::to_text;

namespace {

CosemDateTime local(std::uint16_t y, std::uint8_t mo, std::uint8_t d, std::uint8_t dow, std::uint8_t h,
                    std::uint8_t mi) {
    CosemDateTime t;
    t.year = y;
    t.month = mo;
    t.day = d;
    t.day_of_week = dow;
    t.hour = h;
    t.minute = mi;
    t.second = 0;
    t.hundredths = 0;
    t.status = 0x00;
    return t;
}

Data decode_one(const std::vector<std::uint8_t>& bytes) {
    const auto r = decode_data(bytes);
    if (!r.data || r.consumed != bytes.size()) throw std::runtime_error("bad test Data: " + r.error);
    return *r.data;
}

}  // namespace

TEST_CASE("a GET of load profile 1 by range") {
    GetRequest r;
    r.item.attribute = {7, obis::load_profile_1, 2};
    r.item.access = range_descriptor(local(2019, 6, 26, 3, 13, 0), local(2019, 6, 26, 3, 14, 0));
    const char* const expected =
        "C0 01 C1 00 07 01 00 63 01 00 FF 02 01 01 02 04 02 04 12 00 08 09 06 00 00 01 00 00 FF 0F 02 12 00 00 "
        "09 0C 07 E3 06 1A 03 0D 00 00 00 80 00 00 09 0C 07 E3 06 1A 03 0E 00 00 00 80 00 00 01 00";
    CHECK(to_text(encode_get_request(r)) == expected);
    const GetRequest back = must(decode_get_request(hex(expected)));
    CHECK(back == r);
    REQUIRE(back.item.access);
    CHECK(back.item.access->selector == 1);
    const RangeSelection sel = must(parse_range_descriptor(back.item.access->parameters));
    CHECK(sel.restricting == AttributeDescriptor{8, obis::clock, 2});
    CHECK(sel.from == local(2019, 6, 26, 3, 13, 0));
    CHECK(sel.to == local(2019, 6, 26, 3, 14, 0));
    CHECK(sel.selected_columns == 0);
}

TEST_CASE("a GET of load profile 1 by entry") {
    GetRequest r;
    r.item.attribute = {7, obis::load_profile_1, 2};
    r.item.access = entry_descriptor(1, 10);
    const char* const expected =
        "C0 01 C1 00 07 01 00 63 01 00 FF 02 01 02 02 04 06 00 00 00 01 06 00 00 00 0A 12 00 01 12 00 00";
    CHECK(to_text(encode_get_request(r)) == expected);
    const GetRequest back = must(decode_get_request(hex(expected)));
    CHECK(back == r);
    const EntrySelection sel = must(parse_entry_descriptor(back.item.access->parameters));
    CHECK(sel.from_entry == 1);
    CHECK(sel.to_entry == 10);
    CHECK(sel.from_column == 1);
    CHECK(sel.to_column == 0);
}

TEST_CASE("a range descriptor with selected columns, from a public client trace") {
    // Clock 2 and clock 4 selected, from 2023-01-13 21:00 to 2023-09-06 00:00.
    const Data p = decode_one(
        hex("02 04 02 04 12 00 08 09 06 00 00 01 00 00 FF 0F 02 12 00 00 09 0C 07 E7 01 0D 05 15 00 00 00 80 00 00 "
            "09 0C 07 E7 09 06 03 00 00 00 00 80 00 00 01 02 02 04 12 00 08 09 06 00 00 01 00 00 FF 0F 02 12 00 00 "
            "02 04 12 00 08 09 06 00 00 01 00 00 FF 0F 04 12 00 00"));
    const RangeSelection sel = must(parse_range_descriptor(p));
    CHECK(sel.selected_columns == 2);
    CHECK(sel.from.year == 2023);
    CHECK(sel.from.hour == 21);
    CHECK(sel.to.month == 9);
    CHECK_FALSE(sel.to.has_deviation());
}

TEST_CASE("descriptor parsing takes other integer types and date_time tags") {
    // date_time (tag 25) instead of octet-strings; class as double-long-unsigned.
    const Data p = Data::structure({
        Data::structure({Data::double_long_unsigned(8), Data::octet_string({0, 0, 1, 0, 0, 255}), Data::integer8(2),
                         Data::unsigned8(0)}),
        Data::date_time(encode_date_time(local(2020, 6, 26, 5, 10, 0))),
        Data::date_time(encode_date_time(local(2020, 7, 7, 2, 14, 0))),
        Data::array({}),
    });
    const RangeSelection sel = must(parse_range_descriptor(p));
    CHECK(sel.restricting.class_id == 8);
    CHECK(sel.from == local(2020, 6, 26, 5, 10, 0));
    // Entries as long-unsigned.
    const EntrySelection e = must(parse_entry_descriptor(
        Data::structure({Data::long_unsigned(5), Data::long_unsigned(0), Data::unsigned8(2), Data::unsigned8(3)})));
    CHECK(e.from_entry == 5);
    CHECK(e.to_entry == 0);
    CHECK(e.from_column == 2);
    CHECK(e.to_column == 3);
}

TEST_CASE("malformed descriptors are refused") {
    const auto good = range_descriptor(local(2019, 6, 26, 3, 13, 0), local(2019, 6, 26, 3, 14, 0)).parameters;
    CHECK(parse_range_descriptor(good));
    auto three = good;
    three.items.pop_back();
    CHECK_FALSE(parse_range_descriptor(three));
    auto short_name = good;
    short_name.items[0].items[1].bytes.pop_back();
    CHECK_FALSE(parse_range_descriptor(short_name));
    auto short_time = good;
    short_time.items[1].bytes.pop_back();
    CHECK_FALSE(parse_range_descriptor(short_time));
    auto text_time = good;
    text_time.items[2] = Data::visible_string("2019-06-26");
    CHECK_FALSE(parse_range_descriptor(text_time));
    auto big_class = good;
    big_class.items[0].items[0] = Data::double_long_unsigned(70000);
    CHECK_FALSE(parse_range_descriptor(big_class));
    auto not_array = good;
    not_array.items[3] = Data::null();
    CHECK_FALSE(parse_range_descriptor(not_array));
    CHECK_FALSE(parse_range_descriptor(Data::null()));
    CHECK_FALSE(parse_range_descriptor(entry_descriptor(1, 2).parameters));

    CHECK_FALSE(parse_entry_descriptor(Data::null()));
    CHECK_FALSE(parse_entry_descriptor(Data::structure({Data::double_long(-1), Data::double_long_unsigned(0),
                                                        Data::long_unsigned(1), Data::long_unsigned(0)})));
    CHECK_FALSE(parse_entry_descriptor(Data::structure({Data::double_long_unsigned(1), Data::double_long_unsigned(0),
                                                        Data::double_long_unsigned(70000), Data::long_unsigned(0)})));
    CHECK_FALSE(parse_entry_descriptor(Data::structure({Data::double_long_unsigned(1), Data::double_long_unsigned(0),
                                                        Data::long_unsigned(1)})));
    CHECK_FALSE(parse_entry_descriptor(Data::structure({Data::float32(1.0f), Data::double_long_unsigned(0),
                                                        Data::long_unsigned(1), Data::long_unsigned(0)})));
    CHECK_FALSE(parse_entry_descriptor(good));
}
