#pragma once
// Little-endian field access for DNP3 frames and fragments (private to the codec). A
// Reader never reads past its span: every read is preceded by a size check, and a failed
// check leaves the reader where it was so the caller can report the offset.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gridgate::dnp3::wire {

inline constexpr std::uint64_t time48_mask = (std::uint64_t{1} << 48) - 1;

inline void put_u8(std::vector<std::uint8_t>& out, std::uint8_t v) { out.push_back(v); }

inline void put_le(std::vector<std::uint8_t>& out, std::uint64_t v, std::size_t octets) {
    for (std::size_t i = 0; i < octets; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

inline void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v) { put_le(out, v, 2); }

inline std::uint64_t get_le(std::span<const std::uint8_t> s, std::size_t at, std::size_t octets) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < octets; ++i) v |= std::uint64_t{s[at + i]} << (8 * i);
    return v;
}

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}

    std::size_t offset() const { return pos_; }
    std::size_t remaining() const { return data_.size() - pos_; }
    bool at_end() const { return pos_ == data_.size(); }
    bool has(std::size_t n) const { return remaining() >= n; }

    // Reads an unsigned little-endian field of 1..8 octets; false (nothing consumed) when
    // the span is too short.
    bool le(std::size_t octets, std::uint64_t& v) {
        if (!has(octets)) return false;
        v = get_le(data_, pos_, octets);
        pos_ += octets;
        return true;
    }
    bool u8(std::uint8_t& v) {
        std::uint64_t w = 0;
        if (!le(1, w)) return false;
        v = static_cast<std::uint8_t>(w);
        return true;
    }
    bool u16(std::uint16_t& v) {
        std::uint64_t w = 0;
        if (!le(2, w)) return false;
        v = static_cast<std::uint16_t>(w);
        return true;
    }
    bool u32(std::uint32_t& v) {
        std::uint64_t w = 0;
        if (!le(4, w)) return false;
        v = static_cast<std::uint32_t>(w);
        return true;
    }
    bool skip(std::size_t n) {
        if (!has(n)) return false;
        pos_ += n;
        return true;
    }
    std::span<const std::uint8_t> rest() const { return data_.subspan(pos_); }

private:
    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
};

}  // namespace gridgate::dnp3::wire
