#include "config_text.hpp"

#include <cstdint>
#include <cstdio>

namespace gridgate::gateway::config_detail {

namespace {

std::string hex_byte(unsigned char b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", b);
    return buf;
}

// Length of the UTF-8 sequence starting at text[i], or 0 if it is not a valid one
// (overlong forms, surrogates and code points above U+10FFFF are invalid, RFC 3629).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = 0;
    std::uint32_t code = 0;
    std::uint32_t min_code = 0;
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        code = lead & 0x1Fu;
        min_code = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        code = lead & 0x0Fu;
        min_code = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        code = lead & 0x07u;
        min_code = 0x10000;
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        const unsigned char next = byte(i + k);
        if ((next & 0xC0u) != 0x80u) return 0;
        code = (code << 6) | (next & 0x3Fu);
    }
    if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
    return length;
}

}  // namespace

std::optional<TextProblem> find_text_problem(std::string_view text) {
    int line = 1;
    std::size_t line_start = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto b = static_cast<unsigned char>(text[i]);
        const auto column = std::to_string(i - line_start + 1);
        if (b == '\n') {
            ++line;
            line_start = ++i;
            continue;
        }
        if ((b < 0x20 && b != '\t' && b != '\r') || b == 0x7F)
            return TextProblem{line, "not a text file: control byte " + hex_byte(b) + " at column " + column +
                                         " (a configuration file must be UTF-8 text)"};
        const std::size_t length = utf8_sequence_length(text, i);
        if (length == 0)
            return TextProblem{line, "not UTF-8 text: invalid byte " + hex_byte(b) + " at column " + column +
                                         " (a configuration file must be UTF-8 text)"};
        i += length;
    }
    return std::nullopt;
}

int first_tab_indented_line(std::string_view text, int last_line) {
    int line = 1;
    std::size_t i = 0;
    while (i < text.size() && line <= last_line) {
        bool tab = false;
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) tab |= text[i++] == '\t';
        const bool content = i < text.size() && text[i] != '\n' && text[i] != '\r' && text[i] != '#';
        if (tab && content) return line;
        while (i < text.size() && text[i] != '\n') ++i;
        ++i;
        ++line;
    }
    return 0;
}

}  // namespace gridgate::gateway::config_detail
