// The RTU CRC against published vectors, not against the gateway's driver: a simulator
// that shared the driver's CRC could agree with it on a mistake.
#include <catch2/catch.hpp>

#include <string_view>

#include "gridgate/sim/rtu_crc.hpp"
#include "sim_test_helpers.hpp"

using namespace gridgate::sim;
using sim_test::hex;

namespace {
std::vector<std::byte> with_crc(const std::string& text) {
    std::vector<std::byte> frame = hex(text);
    append_rtu_crc(frame);
    return frame;
}
}  // namespace

TEST_CASE("rtu crc: published request frames", "[sim][rtu][crc]") {
    // Read 10 holding registers from slave 1: the frame every Modbus tutorial shows.
    CHECK(hex(with_crc("01 03 00 00 00 0a")) == "01 03 00 00 00 0a c5 cd");
    // The Modbus application protocol specification's FC03 example (slave 0x11,
    // registers 108-110).
    CHECK(hex(with_crc("11 03 00 6b 00 03")) == "11 03 00 6b 00 03 76 87");
    // Modbus over serial line v1.02, appendix B: CRC of "02 07" is 0x1241, sent 41 12.
    CHECK(rtu_crc16(hex("02 07")) == 0x1241);
    CHECK(hex(with_crc("02 07")) == "02 07 41 12");
}

TEST_CASE("rtu crc: the CRC catalogue's check value for CRC-16/MODBUS", "[sim][rtu][crc]") {
    constexpr std::string_view digits = "123456789";
    const auto bytes = std::as_bytes(std::span(digits.data(), digits.size()));
    CHECK(rtu_crc16(bytes) == 0x4B37);
    CHECK(rtu_crc16({}) == 0xFFFF);
}

TEST_CASE("rtu crc: frame check", "[sim][rtu][crc]") {
    CHECK(rtu_crc_ok(hex("01 03 00 00 00 0a c5 cd")));
    CHECK_FALSE(rtu_crc_ok(hex("01 03 00 00 00 0a cd c5")));  // the manual's MSB-first order
    CHECK_FALSE(rtu_crc_ok(hex("01 03 00 00 00 0b c5 cd")));  // one bit of data changed
    CHECK_FALSE(rtu_crc_ok(hex("41 12")));                    // too short to be a frame
    CHECK(rtu_crc_ok(hex("02 07 41 12")));
}
