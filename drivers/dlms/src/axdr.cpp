// COSEM Data in A-XDR (IEC 62056-6-2 / 5-3): the variable-length count, and the decoder
// and encoder. The decoder reads field by field with a bounds check before every read; a
// count is checked against the octets left and the element budget before anything is
// allocated for it, and nesting is bounded, so hostile input costs at most a few times its
// own size.
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include "gridgate/dlms/axdr.hpp"

namespace gridgate::dlms {

// ---- lengths -----------------------------------------------------------------------------

void encode_length(std::size_t n, std::vector<std::uint8_t>& out) {
    if (n < 0x80) {
        out.push_back(static_cast<std::uint8_t>(n));
        return;
    }
    std::size_t octets = 1;
    while (octets < sizeof n && (n >> (8 * octets)) != 0) ++octets;
    out.push_back(static_cast<std::uint8_t>(0x80 | octets));
    for (std::size_t i = octets; i-- > 0;) out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
}

std::optional<std::pair<std::size_t, std::size_t>> decode_length(std::span<const std::uint8_t> in) {
    if (in.empty()) return std::nullopt;
    const std::uint8_t first = in[0];
    if (first < 0x80) return std::pair<std::size_t, std::size_t>{first, 1};
    // 0x80 is BER's indefinite form, which A-XDR does not have; over 4 octets no real
    // COSEM value is that long.
    const std::size_t octets = first & 0x7F;
    if (octets == 0 || octets > 4 || in.size() < 1 + octets) return std::nullopt;
    std::size_t n = 0;
    for (std::size_t i = 1; i <= octets; ++i) n = (n << 8) | in[i];
    return std::pair<std::size_t, std::size_t>{n, 1 + octets};
}

// ---- decoding ----------------------------------------------------------------------------

namespace {

// Octets of the fixed-size types (after the tag); 0 for the others.
std::size_t fixed_size(DataTag t) {
    switch (t) {
        case DataTag::boolean:
        case DataTag::bcd:
        case DataTag::integer:
        case DataTag::unsigned_:
        case DataTag::enum_: return 1;
        case DataTag::long_:
        case DataTag::long_unsigned: return 2;
        case DataTag::double_long:
        case DataTag::double_long_unsigned:
        case DataTag::float32: return 4;
        case DataTag::long64:
        case DataTag::long64_unsigned:
        case DataTag::float64: return 8;
        case DataTag::date_time: return 12;
        case DataTag::date: return 5;
        case DataTag::time: return 4;
        default: return 0;
    }
}

std::uint64_t get_be(std::span<const std::uint8_t> s) {
    std::uint64_t v = 0;
    for (const std::uint8_t b : s) v = (v << 8) | b;
    return v;
}

std::string hex_octet(std::uint8_t b) {
    static constexpr char digits[] = "0123456789ABCDEF";
    return std::string("0x") + digits[b >> 4] + digits[b & 0x0F];
}

class Decoder {
public:
    Decoder(std::span<const std::uint8_t> in, const AxdrLimits& limits) : in_(in), limits_(limits) {}

    std::size_t offset() const { return pos_; }
    const std::string& error() const { return error_; }

    // One Data at the current offset; `depth` arrays or structures enclose it.
    bool value(std::size_t depth, Data& out) {
        const std::size_t at = pos_;
        if (pos_ >= in_.size()) return fail("truncated data (no tag)", at);
        const auto tag = static_cast<DataTag>(in_[pos_++]);
        out.tag = tag;
        switch (tag) {
            case DataTag::null_data:
            case DataTag::dont_care: return true;
            case DataTag::array:
            case DataTag::structure: return sequence(depth, at, out);
            case DataTag::bit_string: return bits(at, out);
            case DataTag::octet_string:
            case DataTag::visible_string:
            case DataTag::utf8_string: return string(at, out);
            case DataTag::compact_array: return fail("compact-array not supported", at);
            default: break;
        }
        const std::size_t size = fixed_size(tag);
        if (size == 0) return fail("unknown tag " + hex_octet(in_[at]), at);
        if (in_.size() - pos_ < size) return fail("truncated " + std::string(to_string(tag)), at);
        const auto field = in_.subspan(pos_, size);
        pos_ += size;
        const std::uint64_t raw = size <= 8 ? get_be(field) : 0;
        switch (tag) {
            case DataTag::boolean: out.unsigned_value = raw != 0 ? 1 : 0; break;
            case DataTag::integer: out.integer = static_cast<std::int8_t>(raw); break;
            case DataTag::long_: out.integer = static_cast<std::int16_t>(raw); break;
            case DataTag::double_long: out.integer = static_cast<std::int32_t>(raw); break;
            case DataTag::long64: out.integer = static_cast<std::int64_t>(raw); break;
            case DataTag::float32: out.real = std::bit_cast<float>(static_cast<std::uint32_t>(raw)); break;
            case DataTag::float64: out.real = std::bit_cast<double>(raw); break;
            case DataTag::date_time:
            case DataTag::date:
            case DataTag::time: out.bytes.assign(field.begin(), field.end()); break;
            default: out.unsigned_value = raw; break;  // unsigned, enum, bcd
        }
        return true;
    }

private:
    bool fail(std::string what, std::size_t at) {
        error_ = std::move(what) + " at offset " + std::to_string(at);
        return false;
    }

    // The count or length after the tag at `at`.
    bool length(std::size_t at, DataTag tag, std::size_t& n) {
        if (pos_ >= in_.size()) return fail("truncated " + std::string(to_string(tag)), at);
        const auto decoded = decode_length(in_.subspan(pos_));
        if (!decoded) {
            const std::uint8_t first = in_[pos_];
            if (first == 0x80 || first > 0x84)
                return fail("bad length octet " + hex_octet(first) + " in " + to_string(tag), pos_);
            return fail("truncated " + std::string(to_string(tag)), at);
        }
        n = decoded->first;
        pos_ += decoded->second;
        return true;
    }

    bool string(std::size_t at, Data& out) {
        std::size_t n = 0;
        if (!length(at, out.tag, n)) return false;
        if (in_.size() - pos_ < n) return fail("truncated " + std::string(to_string(out.tag)), at);
        out.bytes.assign(in_.begin() + static_cast<std::ptrdiff_t>(pos_), in_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
        pos_ += n;
        return true;
    }

    bool bits(std::size_t at, Data& out) {
        std::size_t n = 0;
        if (!length(at, out.tag, n)) return false;
        const std::size_t octets = n / 8 + (n % 8 != 0 ? 1 : 0);
        if (in_.size() - pos_ < octets) return fail("truncated bit-string", at);
        out.bytes.assign(in_.begin() + static_cast<std::ptrdiff_t>(pos_),
                         in_.begin() + static_cast<std::ptrdiff_t>(pos_ + octets));
        out.bit_count = n;
        pos_ += octets;
        return true;
    }

    bool sequence(std::size_t depth, std::size_t at, Data& out) {
        if (depth >= limits_.max_depth)
            return fail("nesting deeper than " + std::to_string(limits_.max_depth), at);
        std::size_t count = 0;
        if (!length(at, out.tag, count)) return false;
        // Every element takes at least its tag octet, so a count beyond the octets left is
        // a truncated (or lying) sequence, known before anything is allocated for it.
        if (count > in_.size() - pos_) return fail("truncated " + std::string(to_string(out.tag)), at);
        if (count > limits_.max_elements - elements_)
            return fail("more than " + std::to_string(limits_.max_elements) + " elements", at);
        elements_ += count;
        out.items.reserve(std::min<std::size_t>(count, 1024));
        for (std::size_t i = 0; i < count; ++i) {
            Data item;
            if (!value(depth + 1, item)) return false;
            out.items.push_back(std::move(item));
        }
        return true;
    }

    std::span<const std::uint8_t> in_;
    const AxdrLimits& limits_;
    std::size_t pos_ = 0;
    std::size_t elements_ = 0;
    std::string error_;
};

}  // namespace

DataDecode decode_data(std::span<const std::uint8_t> in, const AxdrLimits& limits) {
    Decoder dec(in, limits);
    DataDecode result;
    Data d;
    if (!dec.value(0, d)) {
        result.error = dec.error();
        return result;
    }
    result.data = std::move(d);
    result.consumed = dec.offset();
    return result;
}

// ---- encoding ----------------------------------------------------------------------------

namespace {

void put_be(std::vector<std::uint8_t>& out, std::uint64_t v, std::size_t octets) {
    for (std::size_t i = octets; i-- > 0;) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

[[noreturn]] void misuse(const Data& d, const char* what) {
    throw std::invalid_argument(std::string("encode_data: ") + to_string(d.tag) + " " + what);
}

void put_signed(const Data& d, std::vector<std::uint8_t>& out, std::size_t octets) {
    if (octets < 8) {
        const std::int64_t max = (std::int64_t{1} << (8 * octets - 1)) - 1;
        if (d.integer > max || d.integer < -max - 1) misuse(d, "value out of range");
    }
    put_be(out, static_cast<std::uint64_t>(d.integer), octets);
}

void put_unsigned(const Data& d, std::vector<std::uint8_t>& out, std::size_t octets) {
    if (octets < 8 && d.unsigned_value >> (8 * octets) != 0) misuse(d, "value out of range");
    put_be(out, d.unsigned_value, octets);
}

void put_fixed_octets(const Data& d, std::vector<std::uint8_t>& out) {
    if (d.bytes.size() != fixed_size(d.tag)) misuse(d, "of the wrong size");
    out.insert(out.end(), d.bytes.begin(), d.bytes.end());
}

}  // namespace

void encode_data(const Data& d, std::vector<std::uint8_t>& out) {
    const std::size_t size = fixed_size(d.tag);
    out.push_back(static_cast<std::uint8_t>(d.tag));
    switch (d.tag) {
        case DataTag::null_data:
        case DataTag::dont_care: return;
        case DataTag::array:
        case DataTag::structure:
            encode_length(d.items.size(), out);
            for (const Data& item : d.items) encode_data(item, out);
            return;
        case DataTag::boolean: out.push_back(d.unsigned_value != 0 ? 0x01 : 0x00); return;
        case DataTag::bit_string:
            if (d.bytes.size() != d.bit_count / 8 + (d.bit_count % 8 != 0 ? 1 : 0)) misuse(d, "octets do not match bits");
            encode_length(d.bit_count, out);
            out.insert(out.end(), d.bytes.begin(), d.bytes.end());
            return;
        case DataTag::octet_string:
        case DataTag::visible_string:
        case DataTag::utf8_string:
            encode_length(d.bytes.size(), out);
            out.insert(out.end(), d.bytes.begin(), d.bytes.end());
            return;
        case DataTag::integer:
        case DataTag::long_:
        case DataTag::double_long:
        case DataTag::long64: put_signed(d, out, size); return;
        case DataTag::unsigned_:
        case DataTag::long_unsigned:
        case DataTag::double_long_unsigned:
        case DataTag::long64_unsigned:
        case DataTag::enum_:
        case DataTag::bcd: put_unsigned(d, out, size); return;
        case DataTag::float32:
            // A finite double beyond float's range has no float32 (and converting it is UB).
            if (std::isfinite(d.real) && std::fabs(d.real) > std::numeric_limits<float>::max())
                misuse(d, "value out of range");
            put_be(out, std::bit_cast<std::uint32_t>(static_cast<float>(d.real)), 4);
            return;
        case DataTag::float64: put_be(out, std::bit_cast<std::uint64_t>(d.real), 8); return;
        case DataTag::date_time:
        case DataTag::date:
        case DataTag::time: put_fixed_octets(d, out); return;
        case DataTag::compact_array: misuse(d, "is not supported");
    }
    throw std::invalid_argument("encode_data: unknown tag " + std::to_string(static_cast<unsigned>(d.tag)));
}

std::vector<std::uint8_t> encode_data(const Data& d) {
    std::vector<std::uint8_t> out;
    encode_data(d, out);
    return out;
}

}  // namespace gridgate::dlms
