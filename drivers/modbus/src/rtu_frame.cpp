// Modbus RTU framing and CRC (Modbus over Serial Line v1.02, 2.5.1 and 6.2.2).
#include "gridgate/modbus/rtu_frame.hpp"

#include "gridgate/modbus/pdu.hpp"
#include "wire.hpp"

namespace gridgate::modbus {

namespace {

constexpr std::uint8_t exception_flag = 0x80;
constexpr std::size_t exception_adu_size = 5;  // address, fc | 0x80, code, CRC

// Bit-serial form of the spec's procedure: shift right, XOR 0xA001 when a 1 falls out.
// A table would be faster; frames are at most 256 bytes and this stays obviously right.
std::uint16_t crc_step(std::uint16_t crc, std::uint8_t byte) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) {
        const bool lsb = (crc & 1u) != 0;
        crc = static_cast<std::uint16_t>(crc >> 1);
        if (lsb) crc ^= 0xA001;
    }
    return crc;
}

}  // namespace

const char* to_string(RtuFrameError e) {
    switch (e) {
        case RtuFrameError::too_short: return "frame too short";
        case RtuFrameError::too_long: return "frame too long";
        case RtuFrameError::bad_crc: return "CRC mismatch";
    }
    return "?";
}

std::uint16_t crc16_modbus(std::span<const std::byte> data) {
    std::uint16_t crc = 0xFFFF;
    for (const std::byte b : data) crc = crc_step(crc, std::to_integer<std::uint8_t>(b));
    return crc;
}

std::vector<std::byte> encode_rtu_adu(std::uint8_t address, std::span<const std::byte> pdu) {
    std::vector<std::byte> out;
    out.reserve(1 + pdu.size() + rtu_crc_size);
    wire::put_u8(out, address);
    out.insert(out.end(), pdu.begin(), pdu.end());
    const std::uint16_t crc = crc16_modbus(out);
    wire::put_u8(out, static_cast<std::uint8_t>(crc & 0xff));  // low byte first
    wire::put_u8(out, static_cast<std::uint8_t>(crc >> 8));
    return out;
}

bool rtu_crc_ok(std::span<const std::byte> adu) {
    if (adu.size() < rtu_min_adu_size) return false;
    const std::size_t body = adu.size() - rtu_crc_size;
    const std::uint16_t crc = crc16_modbus(adu.first(body));
    return wire::u8(adu, body) == (crc & 0xff) && wire::u8(adu, body + 1) == (crc >> 8);
}

RtuFrameResult decode_rtu_adu(std::span<const std::byte> adu) {
    if (adu.size() < rtu_min_adu_size) return RtuFrameError::too_short;
    if (adu.size() > rtu_max_adu_size) return RtuFrameError::too_long;
    if (!rtu_crc_ok(adu)) return RtuFrameError::bad_crc;
    return RtuFrame{wire::u8(adu, 0), adu.subspan(1, adu.size() - 1 - rtu_crc_size)};
}

std::size_t expected_response_adu_length(std::span<const std::byte> prefix) {
    if (prefix.size() < 2) return 0;
    const std::uint8_t fc = wire::u8(prefix, 1);
    if (fc & exception_flag) return exception_adu_size;
    if (fc < 0x01 || fc > 0x04) return exception_adu_size;
    if (prefix.size() < 3) return 0;
    return 3 + std::size_t{wire::u8(prefix, 2)} + rtu_crc_size;
}

std::size_t expected_request_adu_length(std::span<const std::byte> prefix) {
    if (prefix.size() < 2) return 0;
    const std::uint8_t fc = wire::u8(prefix, 1);
    // address, fc, two 16-bit fields, CRC
    if (fc >= 0x01 && fc <= 0x06) return 8;
    if (fc == static_cast<std::uint8_t>(FunctionCode::write_multiple_coils) ||
        fc == static_cast<std::uint8_t>(FunctionCode::write_multiple_registers)) {
        if (prefix.size() < 7) return 0;
        return 7 + std::size_t{wire::u8(prefix, 6)} + rtu_crc_size;
    }
    return 0;
}

}  // namespace gridgate::modbus
