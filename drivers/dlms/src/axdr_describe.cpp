// One-line text of a COSEM Data for traces and test messages (the format is listed in
// axdr.hpp). It must describe whatever decode_data returns, and also a hand-built Data
// whose members do not fit its tag, without throwing.
#include <charconv>
#include <cmath>
#include <limits>

#include "gridgate/dlms/axdr.hpp"
#include "gridgate/dlms/cosem_time.hpp"
#include "gridgate/dlms/obis.hpp"

namespace gridgate::dlms {

namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";

std::string hex_string(const std::vector<std::uint8_t>& bytes) {
    std::string s = "'";
    for (const std::uint8_t b : bytes) {
        s += hex_digits[b >> 4];
        s += hex_digits[b & 0x0F];
    }
    return s + "'H";
}

// Shortest text that reads back to the same value, with ".0" so that a whole float does
// not look like an integer.
template <typename T>
std::string real_text(T v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    std::string s(buf, ec == std::errc() ? end : buf);
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
}

std::string quoted(const char* prefix, const std::vector<std::uint8_t>& bytes) {
    std::string s = std::string(prefix) + '"';
    for (const std::uint8_t b : bytes) {
        if (b >= 0x20 && b <= 0x7E && b != '"' && b != '\\') {
            s += static_cast<char>(b);
        } else {
            s += "\\x";
            s += hex_digits[b >> 4];
            s += hex_digits[b & 0x0F];
        }
    }
    return s + '"';
}

std::string octet_string_text(const Data& d) {
    if (d.as_text() && !d.bytes.empty()) return quoted("o", d.bytes);
    if (const auto ln = Obis::from_bytes(d.bytes)) return "[" + ln->to_string() + "]";
    return hex_string(d.bytes);
}

std::string bit_string_text(const Data& d) {
    std::string s = "b'";
    for (std::size_t i = 0; i < d.bit_count && i / 8 < d.bytes.size(); ++i)
        s += (d.bytes[i / 8] >> (7 - i % 8)) & 1 ? '1' : '0';
    return s + "'";
}

std::string date_time_text(const Data& d) {
    if (d.tag == DataTag::date_time && d.bytes.size() == 12) return "dt(" + to_string(*decode_date_time(d.bytes)) + ")";
    if (d.tag == DataTag::date && d.bytes.size() == 5) {
        CosemDateTime t;
        t.year = static_cast<std::uint16_t>((d.bytes[0] << 8) | d.bytes[1]);
        t.month = d.bytes[2];
        t.day = d.bytes[3];
        return "date(" + date_part_string(t) + ")";
    }
    if (d.tag == DataTag::time && d.bytes.size() == 4) {
        CosemDateTime t;
        t.hour = d.bytes[0];
        t.minute = d.bytes[1];
        t.second = d.bytes[2];
        t.hundredths = d.bytes[3];
        return "time(" + time_part_string(t) + ")";
    }
    return std::string(to_string(d.tag)) + "(" + hex_string(d.bytes) + ")";  // a hand-built misfit
}

std::string sequence_text(const Data& d, char open, char close) {
    std::string s(1, open);
    for (std::size_t i = 0; i < d.items.size(); ++i) {
        if (i != 0) s += ' ';
        s += describe(d.items[i]);
    }
    return s + close;
}

}  // namespace

std::string describe(const Data& d) {
    switch (d.tag) {
        case DataTag::null_data: return "null";
        case DataTag::dont_care: return "dont-care";
        case DataTag::boolean: return d.unsigned_value != 0 ? "true" : "false";
        case DataTag::integer:
        case DataTag::long_:
        case DataTag::double_long:
        case DataTag::long64: return std::to_string(d.integer);
        case DataTag::unsigned_:
        case DataTag::long_unsigned: return std::to_string(d.unsigned_value);
        case DataTag::double_long_unsigned:
        case DataTag::long64_unsigned: return std::to_string(d.unsigned_value) + "u";
        case DataTag::enum_: return "enum(" + std::to_string(d.unsigned_value) + ")";
        case DataTag::bcd: {
            std::string s = "bcd(0x";
            s += hex_digits[(d.unsigned_value >> 4) & 0x0F];
            s += hex_digits[d.unsigned_value & 0x0F];
            return s + ")";
        }
        case DataTag::float32:
            // A hand-built value beyond float's range is shown as it is held.
            if (std::isfinite(d.real) && std::fabs(d.real) > std::numeric_limits<float>::max())
                return real_text(d.real) + "f";
            return real_text(static_cast<float>(d.real)) + "f";
        case DataTag::float64: return real_text(d.real);
        case DataTag::octet_string: return octet_string_text(d);
        case DataTag::visible_string: return quoted("", d.bytes);
        case DataTag::utf8_string: return quoted("u8", d.bytes);
        case DataTag::bit_string: return bit_string_text(d);
        case DataTag::date_time:
        case DataTag::date:
        case DataTag::time: return date_time_text(d);
        case DataTag::array: return sequence_text(d, '[', ']');
        case DataTag::structure: return sequence_text(d, '{', '}');
        case DataTag::compact_array: return "compact-array";
    }
    return "tag(" + std::to_string(static_cast<unsigned>(d.tag)) + ")";
}

}  // namespace gridgate::dlms
