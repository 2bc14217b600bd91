// RTU framing: CRC-16/MODBUS vectors, ADU encode/decode, length prediction.
#include <catch2/catch.hpp>

#include "frames.hpp"
#include "gridgate/modbus/rtu_frame.hpp"

using namespace gridgate::modbus;
using gridgate::modbus::test::hex;

namespace {

std::uint16_t crc_of(std::string_view text) { return crc16_modbus(hex(text)); }

}  // namespace

TEST_CASE("CRC-16/MODBUS matches published vectors") {
    // The CRC catalogue's check value for CRC-16/MODBUS ("123456789").
    CHECK(crc_of("31 32 33 34 35 36 37 38 39") == 0x4B37);
    // Modbus over Serial Line v1.02, 6.2.2: "02 07" -> CRC Lo 41, CRC Hi 12.
    CHECK(crc_of("02 07") == 0x1241);
    // The spec's FC03 example (slave 0x11, registers 108..110) and its reply.
    CHECK(crc_of("11 03 00 6B 00 03") == 0x8776);
    CHECK(crc_of("11 03 06 AE 41 56 52 43 40") == 0xAD49);
    CHECK(crc_of("01 03 00 00 00 0A") == 0xCDC5);
    CHECK(crc_of("") == 0xFFFF);
}

TEST_CASE("an ADU carries the CRC low byte first, as the Modbus standard says") {
    CHECK(encode_rtu_adu(0x01, hex("03 00 00 00 0A")) == hex("01 03 00 00 00 0A C5 CD"));
    CHECK(encode_rtu_adu(0x11, hex("03 00 6B 00 03")) == hex("11 03 00 6B 00 03 76 87"));
}

TEST_CASE("the JEMStar II manual's example query, in standard byte order") {
    // reference/meter-modbus.md §4: read holding registers, device 05, register 0004, 6
    // registers. The manual would put the CRC's high byte first ([CONFLICT]); we follow
    // the standard, so the manual's order is a CRC error.
    const auto query = encode_rtu_adu(0x05, hex("03 00 04 00 06"));
    CHECK(query == hex("05 03 00 04 00 06 85 8D"));
    CHECK(rtu_crc_ok(query));
    CHECK_FALSE(rtu_crc_ok(hex("05 03 00 04 00 06 8D 85")));
    // Its force-single-coil query.
    CHECK(encode_rtu_adu(0x05, hex("05 00 01 FF 00")) == hex("05 05 00 01 FF 00 DC 7E"));
}

TEST_CASE("decoding a delimited ADU checks length and CRC") {
    SECTION("a good frame splits into address and PDU") {
        const auto adu = hex("11 03 06 AE 41 56 52 43 40 49 AD");
        const auto result = decode_rtu_adu(adu);
        const auto* frame = std::get_if<RtuFrame>(&result);
        REQUIRE(frame);
        CHECK(frame->address == 0x11);
        CHECK(std::vector<std::byte>(frame->pdu.begin(), frame->pdu.end()) == hex("03 06 AE 41 56 52 43 40"));
    }
    SECTION("one flipped bit anywhere is a CRC error") {
        auto adu = hex("11 03 06 AE 41 56 52 43 40 49 AD");
        for (std::size_t i = 0; i < adu.size(); ++i) {
            auto corrupt = adu;
            corrupt[i] ^= std::byte{0x04};
            CHECK(std::get<RtuFrameError>(decode_rtu_adu(corrupt)) == RtuFrameError::bad_crc);
        }
    }
    SECTION("truncated and oversized frames") {
        CHECK(std::get<RtuFrameError>(decode_rtu_adu(hex("11 03 76"))) == RtuFrameError::too_short);
        CHECK(std::get<RtuFrameError>(decode_rtu_adu({})) == RtuFrameError::too_short);
        const std::vector<std::byte> huge(257, std::byte{0});
        CHECK(std::get<RtuFrameError>(decode_rtu_adu(huge)) == RtuFrameError::too_long);
        // A truncated frame also fails its CRC.
        CHECK(std::get<RtuFrameError>(decode_rtu_adu(hex("11 03 06 AE 41 56 52 43 40 49"))) == RtuFrameError::bad_crc);
    }
}

TEST_CASE("response length is predicted from the first three bytes") {
    CHECK(expected_response_adu_length(hex("")) == 0);
    CHECK(expected_response_adu_length(hex("11")) == 0);
    CHECK(expected_response_adu_length(hex("11 03")) == 0);          // byte count not yet here
    CHECK(expected_response_adu_length(hex("11 03 06")) == 11);      // 3 + 6 + CRC
    CHECK(expected_response_adu_length(hex("01 01 02 AA")) == 7);    // coils
    CHECK(expected_response_adu_length(hex("01 04 FA")) == 255);     // 125 registers
    CHECK(expected_response_adu_length(hex("01 83")) == 5);          // exception
    CHECK(expected_response_adu_length(hex("01 2B 0E")) == 5);       // not a read: shortest frame
}

TEST_CASE("request length is predicted for the slave side") {
    CHECK(expected_request_adu_length(hex("01")) == 0);
    CHECK(expected_request_adu_length(hex("01 03")) == 8);
    CHECK(expected_request_adu_length(hex("01 05")) == 8);
    CHECK(expected_request_adu_length(hex("01 06")) == 8);
    CHECK(expected_request_adu_length(hex("01 10 00 00 00 02")) == 0);     // byte count is byte 7
    CHECK(expected_request_adu_length(hex("01 10 00 00 00 02 04")) == 13);  // 7 + 4 + CRC
    CHECK(expected_request_adu_length(hex("01 0F 00 00 00 0A 02")) == 11);
    CHECK(expected_request_adu_length(hex("01 2B")) == 0);  // unknown: wait for silence
}
