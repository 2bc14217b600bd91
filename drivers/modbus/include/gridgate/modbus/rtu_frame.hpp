#pragma once
// Modbus RTU framing (Modbus over Serial Line v1.02, section 2.5.1): [address][PDU][CRC]
// with the CRC-16 of the address and PDU, LOW byte first on the wire. Pure: no I/O, no
// clock, no globals; shared by the gateway's bus master and metersim's RTU slave.
//
// The JEMStar II manual (reference/meter-modbus.md §4 step 9) says the CRC's most
// significant byte goes first. That contradicts the Modbus standard and every other
// implementation (pymodbus, libmodbus); we follow the standard: "01 03 00 00 00 0A"
// is sent as "01 03 00 00 00 0A C5 CD" (CRC value 0xCDC5).
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

namespace gridgate::modbus {

inline constexpr std::uint8_t rtu_broadcast_address = 0;
inline constexpr std::size_t rtu_crc_size = 2;
inline constexpr std::size_t rtu_max_adu_size = 256;  // address + 253-byte PDU + CRC
// The shortest frame that can carry anything: address, function code, CRC.
inline constexpr std::size_t rtu_min_adu_size = 4;

// CRC-16/MODBUS: reflected polynomial 0xA001, initial value 0xFFFF, no final XOR.
std::uint16_t crc16_modbus(std::span<const std::byte> data);

// [address][pdu][crc low][crc high].
std::vector<std::byte> encode_rtu_adu(std::uint8_t address, std::span<const std::byte> pdu);

// True when the last two bytes of `adu` are the CRC of the bytes before them (and the
// frame has at least an address, a function code and the CRC).
bool rtu_crc_ok(std::span<const std::byte> adu);

// A frame split into its parts; `pdu` points into the buffer given to the decoder.
struct RtuFrame {
    std::uint8_t address = 0;
    std::span<const std::byte> pdu;
};

enum class RtuFrameError : std::uint8_t {
    too_short,  // fewer than 4 bytes: cannot be a frame
    too_long,   // more than 256 bytes
    bad_crc,
};
const char* to_string(RtuFrameError e);

using RtuFrameResult = std::variant<RtuFrame, RtuFrameError>;

// Decodes a frame whose end is already known (by silence or by length prediction).
RtuFrameResult decode_rtu_adu(std::span<const std::byte> adu);

// Length of the whole response ADU (address, PDU, CRC) that starts at prefix[0], or 0
// while not yet known (the byte count of a read response is the third byte). Read
// responses (FC01..04) carry their own length, exceptions are 5 bytes; for any other
// function code the shortest frame (5 bytes) is predicted so the caller judges it early.
std::size_t expected_response_adu_length(std::span<const std::byte> prefix);

// Slave side: length of the whole request ADU that starts at prefix[0], or 0 while not
// yet known. FC01..06 requests are 8 bytes; FC15/16 carry a byte count in their 7th byte
// (9 + count). For other function codes the length cannot be predicted: 0, and the
// caller must wait for the t3.5 silence.
std::size_t expected_request_adu_length(std::span<const std::byte> prefix);

}  // namespace gridgate::modbus
