// Block transfer with GET: the server's split into GET-Response-With-Datablock APDUs and
// the client's decoding of the reassembled raw data, for one Data and for a list.
#include <catch2/catch.hpp>

#include "apdu_test.hpp"

using namespace gridgate::dlms;
using gridgate::dlms::test::hex;
using gridgate::dlms::test::must;
using gridgate::dlms::test::to_text;

namespace {

// What a client does with the blocks: decode each, check numbering, concatenate.
std::vector<std::uint8_t> reassemble(const std::vector<std::vector<std::uint8_t>>& blocks, std::size_t max_apdu) {
    std::vector<std::uint8_t> raw;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        REQUIRE(blocks[i].size() <= max_apdu);
        const GetResponse b = must(decode_get_response(blocks[i]));
        REQUIRE(b.kind == GetResponse::Kind::with_datablock);
        REQUIRE(b.block_number == i + 1);
        REQUIRE(b.last_block == (i + 1 == blocks.size()));
        REQUIRE_FALSE(b.block_result);
        raw.insert(raw.end(), b.raw_data.begin(), b.raw_data.end());
    }
    return raw;
}

// A load-profile buffer as the reference meter sends it: clock (octet-string), status
// (double-long-unsigned), six float32 channels; five-minute intervals.
Data profile_buffer(std::size_t entries) {
    std::vector<Data> rows;
    rows.reserve(entries);
    for (std::size_t i = 0; i < entries; ++i) {
        CosemDateTime t;
        const std::size_t minutes = i * 5;
        t.year = 2019;
        t.month = 6;
        t.day = static_cast<std::uint8_t>(1 + minutes / 1440 % 28);
        t.hour = static_cast<std::uint8_t>(minutes / 60 % 24);
        t.minute = static_cast<std::uint8_t>(minutes % 60);
        t.second = 0;
        const auto octets = encode_date_time(t);
        std::vector<Data> row{Data::octet_string(std::vector<std::uint8_t>(octets.begin(), octets.end())),
                              Data::double_long_unsigned(i % 7 == 0 ? 64u : 1u)};
        for (int c = 0; c < 6; ++c) row.push_back(Data::float32(static_cast<float>(i) * 0.25f + static_cast<float>(c)));
        rows.push_back(Data::structure(std::move(row)));
    }
    return Data::array(std::move(rows));
}

}  // namespace

TEST_CASE("split_into_blocks numbers blocks from 1 and fills each to max_apdu") {
    std::vector<std::uint8_t> encoded(25);
    for (std::size_t i = 0; i < encoded.size(); ++i) encoded[i] = static_cast<std::uint8_t>(i);
    const auto blocks = split_into_blocks(0xC1, encoded, 20);  // 20 - 9 header - 1 length = 10 raw octets
    REQUIRE(blocks.size() == 3);
    CHECK(to_text(blocks[0]) == "C4 02 C1 00 00 00 00 01 00 0A 00 01 02 03 04 05 06 07 08 09");
    CHECK(to_text(blocks[1]) == "C4 02 C1 00 00 00 00 02 00 0A 0A 0B 0C 0D 0E 0F 10 11 12 13");
    CHECK(to_text(blocks[2]) == "C4 02 C1 01 00 00 00 03 00 05 14 15 16 17 18");
    CHECK(reassemble(blocks, 20) == encoded);
}

TEST_CASE("split_into_blocks respects max_apdu across the length-octet thresholds") {
    std::vector<std::uint8_t> encoded(1000);
    for (std::size_t i = 0; i < encoded.size(); ++i) encoded[i] = static_cast<std::uint8_t>(i * 31);
    for (std::size_t max_apdu = 11; max_apdu <= 300; ++max_apdu) {
        const auto blocks = split_into_blocks(0xC1, encoded, max_apdu);
        CHECK(reassemble(blocks, max_apdu) == encoded);
    }
    // 137 = 9 + 1 + 127: the largest one-octet length. 138 cannot carry 128 (2-octet length).
    CHECK(split_into_blocks(0xC1, encoded, 137).front().size() == 137);
    CHECK(split_into_blocks(0xC1, encoded, 138).front().size() == 137);
    CHECK(split_into_blocks(0xC1, encoded, 139).front().size() == 139);
    CHECK_THROWS_AS(split_into_blocks(0xC1, encoded, 10), std::invalid_argument);
    CHECK(split_into_blocks(0xC1, encoded, 11).size() == 1000);
}

TEST_CASE("an empty result is one last block") {
    const auto blocks = split_into_blocks(0xC2, {}, 64);
    REQUIRE(blocks.size() == 1);
    CHECK(to_text(blocks[0]) == "C4 02 C2 01 00 00 00 01 00 00");
}

TEST_CASE("a 3000-entry profile buffer in 512-octet blocks reassembles to the same Data") {
    const Data buffer = profile_buffer(3000);
    const auto encoded = encode_data(buffer);
    const auto blocks = split_into_blocks(0xC1, encoded, 512);
    // 512 - 9 header - 3 length octets (82 01 F4) = 500 raw octets a block.
    CHECK(blocks.size() == (encoded.size() + 499) / 500);
    CHECK(blocks.front().size() == 512);
    CHECK(to_text(std::vector<std::uint8_t>(blocks.front().begin(), blocks.front().begin() + 12)) ==
          "C4 02 C1 00 00 00 00 01 00 82 01 F4");
    const auto raw = reassemble(blocks, 512);
    CHECK(raw == encoded);
    const Data back = must(decode_block_result(raw));
    REQUIRE(back.items.size() == 3000);
    CHECK(back == buffer);
}

TEST_CASE("a GET-with-list result split into blocks reassembles to the same results") {
    std::vector<GetResult> results;
    for (int i = 0; i < 40; ++i) {
        if (i % 9 == 4)
            results.push_back(GetResult{std::nullopt, AccessResult::read_write_denied});
        else
            results.push_back(GetResult{
                Data::structure({Data::double_long_unsigned(static_cast<std::uint32_t>(i) * 1000u),
                                 Data::visible_string("kWh")}),
                AccessResult::success});
    }
    const auto encoded = encode_get_result_list(results);
    CHECK(to_text(std::vector<std::uint8_t>(encoded.begin(), encoded.begin() + 3)) == "28 00 02");
    const auto blocks = split_into_blocks(0xC5, encoded, 64);
    CHECK(blocks.size() > 4);
    CHECK(must(decode_block_result_list(reassemble(blocks, 64))) == results);
}

TEST_CASE("block results refuse truncated, trailing and hostile raw data") {
    CHECK(must(decode_block_result(hex("06 00 00 00 2A"))) == Data::double_long_unsigned(42));
    CHECK_FALSE(decode_block_result(hex("06 00 00 00")));
    CHECK_FALSE(decode_block_result(hex("06 00 00 00 2A 00")));
    CHECK_FALSE(decode_block_result({}));

    CHECK(must(decode_block_result_list(hex("02 00 11 05 01 04"))).size() == 2);
    CHECK(must(decode_block_result_list(hex("00"))).empty());
    CHECK_FALSE(decode_block_result_list(hex("02 00 11 05")));           // one item short
    CHECK_FALSE(decode_block_result_list(hex("01 00 11 05 01 04")));     // trailing item
    CHECK_FALSE(decode_block_result_list(hex("01 01 00")));              // success without data
    CHECK_FALSE(decode_block_result_list(hex("84 7F FF FF FF 00 11 05")));  // count over the limit
    CHECK_FALSE(decode_block_result_list({}));
    AxdrLimits tight;
    tight.max_elements = 1;
    CHECK_FALSE(decode_block_result_list(hex("02 00 11 05 01 04"), tight));
}
