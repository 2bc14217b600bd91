// OBIS codes (IEC 62056-61): the six value groups and the text forms people write them in.
#include "gridgate/dlms/obis.hpp"

#include <cstddef>

namespace gridgate::dlms {

namespace {

// Reads one decimal group of 1..3 digits (a fourth digit is over 255 anyway) starting at
// `pos`; false on no digit or a value over 255.
bool read_group(std::string_view text, std::size_t& pos, std::uint8_t& out) {
    unsigned value = 0;
    std::size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        value = value * 10 + static_cast<unsigned>(text[pos] - '0');
        ++pos;
        if (++digits > 3 || value > 255) return false;
    }
    if (digits == 0) return false;
    out = static_cast<std::uint8_t>(value);
    return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
}

}  // namespace

std::optional<Obis> Obis::parse(std::string_view text) {
    Obis o;
    o.v[5] = 255;
    std::size_t pos = 0;
    if (!read_group(text, pos, o.v[0])) return std::nullopt;
    // The separator after A tells the two notations apart: "A.B.C.D.E[.F]" or the
    // IEC 62056-61 form "A-B:C.D.E[.F|*F]".
    const bool iec = pos < text.size() && text[pos] == '-';
    if (iec) {
        ++pos;
        if (!read_group(text, pos, o.v[1]) || !expect(text, pos, ':')) return std::nullopt;
    } else if (!expect(text, pos, '.') || !read_group(text, pos, o.v[1]) || !expect(text, pos, '.')) {
        return std::nullopt;
    }
    if (!read_group(text, pos, o.v[2]) || !expect(text, pos, '.') || !read_group(text, pos, o.v[3]) ||
        !expect(text, pos, '.') || !read_group(text, pos, o.v[4]))
        return std::nullopt;
    if (pos == text.size()) return o;  // F left out
    const char sep = text[pos++];
    if (sep != '.' && !(iec && sep == '*')) return std::nullopt;
    if (!read_group(text, pos, o.v[5]) || pos != text.size()) return std::nullopt;
    return o;
}

std::optional<Obis> Obis::from_bytes(std::span<const std::uint8_t> octets) {
    if (octets.size() != 6) return std::nullopt;
    Obis o;
    for (std::size_t i = 0; i < 6; ++i) o.v[i] = octets[i];
    return o;
}

std::string Obis::to_string() const {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i != 0) s += '.';
        s += std::to_string(v[i]);
    }
    return s;
}

}  // namespace gridgate::dlms
