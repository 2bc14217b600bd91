#pragma once
// Test helpers: octets written as hex text, the way IEEE 1815 prints frames.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gridgate/core/hex.hpp"
#include "gridgate/dnp3/app.hpp"

namespace gridgate::dnp3::test {

inline std::vector<std::uint8_t> hex(std::string_view text) {
    const auto bytes = from_hex(text);
    if (!bytes) throw std::invalid_argument("bad hex in test");
    std::vector<std::uint8_t> out;
    out.reserve(bytes->size());
    for (const std::byte b : *bytes) out.push_back(std::to_integer<std::uint8_t>(b));
    return out;
}

inline std::string to_text(const std::vector<std::uint8_t>& v) {
    std::string s;
    for (const std::uint8_t b : v) {
        static constexpr char digits[] = "0123456789ABCDEF";
        if (!s.empty()) s += ' ';
        s += digits[b >> 4];
        s += digits[b & 0x0F];
    }
    return s;
}

// Parses a response that must be valid; a ParseError becomes an exception with its text.
inline Response response(std::string_view text) {
    auto r = parse_response(hex(text));
    if (auto* e = std::get_if<ParseError>(&r)) throw std::runtime_error("unexpected parse error: " + e->message);
    return std::get<Response>(std::move(r));
}

inline Request request(const std::vector<std::uint8_t>& fragment) {
    auto r = parse_request(fragment);
    if (auto* e = std::get_if<ParseError>(&r)) throw std::runtime_error("unexpected parse error: " + e->message);
    return std::get<Request>(std::move(r));
}

}  // namespace gridgate::dnp3::test
