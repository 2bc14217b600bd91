#pragma once
// Test helpers: octets written as hex text, the way the DLMS documents print frames, and
// an HDLC check sequence computed bit by bit, independently of the codec's table.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/hex.hpp"

namespace gridgate::dlms::test {

inline std::vector<std::uint8_t> hex(std::string_view text) {
    const auto bytes = from_hex(text);
    if (!bytes) throw std::invalid_argument("bad hex in test");
    std::vector<std::uint8_t> out;
    out.reserve(bytes->size());
    for (const std::byte b : *bytes) out.push_back(std::to_integer<std::uint8_t>(b));
    return out;
}

inline std::string to_text(const std::vector<std::uint8_t>& v) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string s;
    for (const std::uint8_t b : v) {
        if (!s.empty()) s += ' ';
        s += digits[b >> 4];
        s += digits[b & 0x0F];
    }
    return s;
}

// CRC-16/X.25 the way ISO/IEC 13239 describes the shift register: the octets go out least
// significant bit first, each bit is compared with the register's top bit and, when they
// differ, the register is shifted and XORed with the polynomial x^16 + x^12 + x^5 + 1
// (0x1021). The result is complemented and its bits reversed to the order they are sent.
inline std::uint16_t fcs_bitwise(const std::vector<std::uint8_t>& data) {
    std::uint16_t reg = 0xFFFF;
    for (const std::uint8_t octet : data) {
        for (int i = 0; i < 8; ++i) {
            const bool in = (octet >> i) & 1;
            const bool top = (reg >> 15) & 1;
            reg = static_cast<std::uint16_t>(reg << 1);
            if (in != top) reg ^= 0x1021;
        }
    }
    reg = static_cast<std::uint16_t>(~reg);
    std::uint16_t reversed = 0;
    for (int i = 0; i < 16; ++i)
        if ((reg >> i) & 1) reversed = static_cast<std::uint16_t>(reversed | 1u << (15 - i));
    return reversed;
}

// Octets [from, to) of v.
inline std::vector<std::uint8_t> slice(const std::vector<std::uint8_t>& v, std::size_t from, std::size_t to) {
    return {v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(to)};
}

}  // namespace gridgate::dlms::test
