// The COSEM Data value type: tag names, factories and the typed readings of a value.
#include <algorithm>
#include <limits>
#include <utility>

#include "gridgate/dlms/axdr.hpp"

namespace gridgate::dlms {

const char* to_string(DataTag t) {
    switch (t) {
        case DataTag::null_data: return "null-data";
        case DataTag::array: return "array";
        case DataTag::structure: return "structure";
        case DataTag::boolean: return "boolean";
        case DataTag::bit_string: return "bit-string";
        case DataTag::double_long: return "double-long";
        case DataTag::double_long_unsigned: return "double-long-unsigned";
        case DataTag::octet_string: return "octet-string";
        case DataTag::visible_string: return "visible-string";
        case DataTag::utf8_string: return "utf8-string";
        case DataTag::bcd: return "bcd";
        case DataTag::integer: return "integer";
        case DataTag::long_: return "long";
        case DataTag::unsigned_: return "unsigned";
        case DataTag::long_unsigned: return "long-unsigned";
        case DataTag::compact_array: return "compact-array";
        case DataTag::long64: return "long64";
        case DataTag::long64_unsigned: return "long64-unsigned";
        case DataTag::enum_: return "enum";
        case DataTag::float32: return "float32";
        case DataTag::float64: return "float64";
        case DataTag::date_time: return "date-time";
        case DataTag::date: return "date";
        case DataTag::time: return "time";
        case DataTag::dont_care: return "dont-care";
    }
    return "unknown";
}

namespace {

Data signed_data(DataTag tag, std::int64_t v) {
    Data d;
    d.tag = tag;
    d.integer = v;
    return d;
}

Data unsigned_data(DataTag tag, std::uint64_t v) {
    Data d;
    d.tag = tag;
    d.unsigned_value = v;
    return d;
}

Data octets(DataTag tag, std::span<const std::uint8_t> v) {
    Data d;
    d.tag = tag;
    d.bytes.assign(v.begin(), v.end());
    return d;
}

Data text(DataTag tag, std::string_view v) {
    Data d;
    d.tag = tag;
    d.bytes.assign(v.begin(), v.end());
    return d;
}

Data sequence(DataTag tag, std::vector<Data> items) {
    Data d;
    d.tag = tag;
    d.items = std::move(items);
    return d;
}

bool is_signed_tag(DataTag t) {
    return t == DataTag::integer || t == DataTag::long_ || t == DataTag::double_long || t == DataTag::long64;
}

bool is_unsigned_tag(DataTag t) {
    return t == DataTag::unsigned_ || t == DataTag::long_unsigned || t == DataTag::double_long_unsigned ||
           t == DataTag::long64_unsigned || t == DataTag::enum_ || t == DataTag::bcd;
}

bool is_float_tag(DataTag t) { return t == DataTag::float32 || t == DataTag::float64; }

}  // namespace

Data Data::null() { return Data{}; }
Data Data::boolean(bool b) { return unsigned_data(DataTag::boolean, b ? 1 : 0); }
Data Data::integer8(std::int8_t v) { return signed_data(DataTag::integer, v); }
Data Data::long16(std::int16_t v) { return signed_data(DataTag::long_, v); }
Data Data::double_long(std::int32_t v) { return signed_data(DataTag::double_long, v); }
Data Data::long64(std::int64_t v) { return signed_data(DataTag::long64, v); }
Data Data::unsigned8(std::uint8_t v) { return unsigned_data(DataTag::unsigned_, v); }
Data Data::long_unsigned(std::uint16_t v) { return unsigned_data(DataTag::long_unsigned, v); }
Data Data::double_long_unsigned(std::uint32_t v) { return unsigned_data(DataTag::double_long_unsigned, v); }
Data Data::long64_unsigned(std::uint64_t v) { return unsigned_data(DataTag::long64_unsigned, v); }
Data Data::enumeration(std::uint8_t v) { return unsigned_data(DataTag::enum_, v); }
Data Data::bcd(std::uint8_t v) { return unsigned_data(DataTag::bcd, v); }

Data Data::dont_care() {
    Data d;
    d.tag = DataTag::dont_care;
    return d;
}

Data Data::float32(float v) {
    Data d;
    d.tag = DataTag::float32;
    d.real = v;
    return d;
}

Data Data::float64(double v) {
    Data d;
    d.tag = DataTag::float64;
    d.real = v;
    return d;
}

Data Data::octet_string(std::vector<std::uint8_t> v) {
    Data d;
    d.tag = DataTag::octet_string;
    d.bytes = std::move(v);
    return d;
}

Data Data::visible_string(std::string_view v) { return text(DataTag::visible_string, v); }
Data Data::utf8_string(std::string_view v) { return text(DataTag::utf8_string, v); }

Data Data::bit_string(std::vector<std::uint8_t> packed, std::size_t bits) {
    Data d;
    d.tag = DataTag::bit_string;
    packed.resize(bits / 8 + (bits % 8 != 0 ? 1 : 0));
    d.bytes = std::move(packed);
    d.bit_count = bits;
    return d;
}

Data Data::date_time(std::span<const std::uint8_t, 12> v) { return octets(DataTag::date_time, v); }
Data Data::date(std::span<const std::uint8_t, 5> v) { return octets(DataTag::date, v); }
Data Data::time(std::span<const std::uint8_t, 4> v) { return octets(DataTag::time, v); }
Data Data::array(std::vector<Data> items) { return sequence(DataTag::array, std::move(items)); }
Data Data::structure(std::vector<Data> items) { return sequence(DataTag::structure, std::move(items)); }

bool Data::is_number() const { return is_signed_tag(tag) || is_unsigned_tag(tag) || is_float_tag(tag); }

std::optional<double> Data::as_double() const {
    if (is_signed_tag(tag)) return static_cast<double>(integer);
    if (is_unsigned_tag(tag)) return static_cast<double>(unsigned_value);
    if (is_float_tag(tag)) return real;
    return std::nullopt;
}

std::optional<std::int64_t> Data::as_int() const {
    if (is_signed_tag(tag)) return integer;
    if (is_unsigned_tag(tag) && unsigned_value <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return static_cast<std::int64_t>(unsigned_value);
    return std::nullopt;
}

std::optional<std::string> Data::as_text() const {
    if (tag == DataTag::visible_string || tag == DataTag::utf8_string) return std::string(bytes.begin(), bytes.end());
    if (tag != DataTag::octet_string) return std::nullopt;
    const bool printable = std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b >= 0x20 && b <= 0x7E; });
    if (!printable) return std::nullopt;
    return std::string(bytes.begin(), bytes.end());
}

}  // namespace gridgate::dlms
