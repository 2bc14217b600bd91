#pragma once
// Test helpers: APDUs written as hex text, the way the Green Book and meter traces print
// them, and a check that a decoder refuses every truncation of a valid APDU.
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/hex.hpp"
#include "gridgate/dlms/apdu.hpp"

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

// The value of a decode that must succeed; the decoder's reason otherwise.
template <class T>
T must(const Parsed<T>& p) {
    if (!p) throw std::runtime_error("unexpected decode error: " + p.error);
    return *p.value;
}

// How many strict prefixes of `apdu` the decoder accepted (0 expected).
template <class Decode>
std::size_t accepted_prefixes(const std::vector<std::uint8_t>& apdu, Decode decode) {
    std::size_t accepted = 0;
    for (std::size_t n = 0; n < apdu.size(); ++n)
        if (decode(std::span<const std::uint8_t>(apdu.data(), n))) ++accepted;
    return accepted;
}

}  // namespace gridgate::dlms::test
