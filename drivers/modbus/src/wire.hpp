#pragma once
// Big-endian field access for Modbus frames (private to the codec). Callers check the
// span's size first; these helpers only index within it.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gridgate::modbus::wire {

inline std::uint8_t u8(std::span<const std::byte> s, std::size_t at) { return std::to_integer<std::uint8_t>(s[at]); }

inline std::uint16_t u16(std::span<const std::byte> s, std::size_t at) {
    return static_cast<std::uint16_t>((u8(s, at) << 8) | u8(s, at + 1));
}

inline void put_u8(std::vector<std::byte>& out, std::uint8_t v) { out.push_back(static_cast<std::byte>(v)); }

inline void put_u16(std::vector<std::byte>& out, std::uint16_t v) {
    put_u8(out, static_cast<std::uint8_t>(v >> 8));
    put_u8(out, static_cast<std::uint8_t>(v & 0xff));
}

// Bytes needed to carry `bits` bits packed LSB first.
inline std::size_t packed_bytes(std::size_t bits) { return (bits + 7) / 8; }

}  // namespace gridgate::modbus::wire
