#pragma once
// Shared by the sim_dlms_link tests: hex text to octets and back, and HDLC frames from
// octets through the codec's parser (which checks HCS and FCS).
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/dlms/hdlc.hpp"

namespace dlms_link_test {

inline std::vector<std::uint8_t> hex(std::string_view text) {
    std::vector<std::uint8_t> out;
    int high = -1;
    for (const char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        const int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::toupper(c) - 'A' + 10;
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(high << 4 | v));
            high = -1;
        }
    }
    return out;
}

inline std::string to_hex(const std::vector<std::uint8_t>& bytes) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (const std::uint8_t b : bytes) {
        if (!out.empty()) out.push_back(' ');
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0xF]);
    }
    return out;
}

// The one frame in `bytes` (REQUIREd by the caller through the size).
inline std::vector<gridgate::dlms::HdlcFrame> parse_frames(const std::vector<std::uint8_t>& bytes) {
    gridgate::dlms::HdlcParser parser;
    return parser.feed(bytes);
}

}  // namespace dlms_link_test
