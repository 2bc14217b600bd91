// MBAP framing (Modbus Messaging on TCP/IP v1.0b).
#include <catch2/catch.hpp>

#include "frames.hpp"
#include "gridgate/modbus/mbap.hpp"

using namespace gridgate::modbus;
using gridgate::modbus::test::hex;

namespace {
MbapError error_of(const MbapResult& r) {
    REQUIRE(std::holds_alternative<MbapError>(r));
    return std::get<MbapError>(r);
}
}  // namespace

TEST_CASE("an FC03 request is framed with tid, protocol 0, length and unit") {
    CHECK(encode_mbap(0x0001, 0x11, hex("03 00 6B 00 03")) == hex("00 01 00 00 00 06 11 03 00 6B 00 03"));
    CHECK(encode_mbap(0xFFFF, 0xFF, hex("83 02")) == hex("FF FF 00 00 00 03 FF 83 02"));
}

TEST_CASE("a complete frame decodes and reports what it consumed") {
    const auto buf = hex("12 34 00 00 00 09 01 03 06 02 2B 00 00 00 64 AA BB");  // next frame follows
    const auto r = decode_mbap(buf);
    REQUIRE(std::holds_alternative<MbapDecoded>(r));
    const auto& d = std::get<MbapDecoded>(r);
    CHECK(d.frame.transaction_id == 0x1234);
    CHECK(d.frame.unit_id == 1);
    CHECK(d.consumed == 15);
    CHECK(std::vector<std::byte>(d.frame.pdu.begin(), d.frame.pdu.end()) == hex("03 06 02 2B 00 00 00 64"));
}

TEST_CASE("truncated frames need more") {
    CHECK(error_of(decode_mbap({})) == MbapError::need_more);
    CHECK(error_of(decode_mbap(hex("00 01 00 00 00"))) == MbapError::need_more);
    CHECK(error_of(decode_mbap(hex("00 01 00 00 00 06 11 03 00 6B 00"))) == MbapError::need_more);
}

TEST_CASE("a bad protocol id is reported as soon as it arrives") {
    CHECK(error_of(decode_mbap(hex("00 01 00 01"))) == MbapError::bad_protocol_id);
    CHECK(error_of(decode_mbap(hex("48 54 54 50 2F 31 2E 31"))) == MbapError::bad_protocol_id);  // "HTTP/1.1"
}

TEST_CASE("length fields outside 2..254 are bad") {
    CHECK(error_of(decode_mbap(hex("00 01 00 00 00 01 11"))) == MbapError::bad_length);
    CHECK(error_of(decode_mbap(hex("00 01 00 00 00 00"))) == MbapError::bad_length);
    CHECK(error_of(decode_mbap(hex("00 01 00 00 00 FF"))) == MbapError::bad_length);
    CHECK(error_of(decode_mbap(hex("00 01 00 00 00 FE"))) == MbapError::need_more);
    CHECK(std::string(to_string(MbapError::bad_length)) == "bad length field");
}

TEST_CASE("the largest ADU fits max_adu_size") {
    std::vector<std::byte> pdu(253, std::byte{0x03});
    const auto frame = encode_mbap(7, 1, pdu);
    CHECK(frame.size() == max_adu_size);
    const auto r = decode_mbap(frame);
    REQUIRE(std::holds_alternative<MbapDecoded>(r));
    CHECK(std::get<MbapDecoded>(r).frame.pdu.size() == 253);
}
