#pragma once
// Test helpers: octets written as hex text, the way the Green Book prints APDUs.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/hex.hpp"
#include "gridgate/dlms/axdr.hpp"

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

// Decodes a Data that must be valid and take every octet; anything else throws with the
// decoder's message so that the failing check shows it.
inline Data decode_all(const std::vector<std::uint8_t>& bytes, const AxdrLimits& limits = {}) {
    const auto r = decode_data(bytes, limits);
    if (!r.data) throw std::runtime_error("unexpected decode error: " + r.error);
    if (r.consumed != bytes.size())
        throw std::runtime_error("decoded " + std::to_string(r.consumed) + " of " + std::to_string(bytes.size()));
    return *r.data;
}

inline std::string encoded(const Data& d) { return to_text(encode_data(d)); }

}  // namespace gridgate::dlms::test
