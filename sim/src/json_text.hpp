#pragma once
// Minimal JSON text helpers for the simulator's hand-written JSON lines (the served
// log is on the hot path of throughput benchmarks, so no DOM per line).
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace gridgate::sim::json {

inline void append_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (u < 0x20) {
            out.append("\\u00");
            out.push_back(hex[u >> 4]);
            out.push_back(hex[u & 0xF]);
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}

template <typename Integer>
void append_number(std::string& out, Integer value) {
    char buf[24];
    const auto result = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, result.ptr);
}

}  // namespace gridgate::sim::json
