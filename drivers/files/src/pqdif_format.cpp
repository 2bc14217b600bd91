// Physical type sizes and little-endian field access for PQDIF.
#include "pqdif_format.hpp"

#include <bit>
#include <cstring>

namespace gridgate::files::pqdif {

std::size_t physical_size(std::uint8_t code) {
    switch (static_cast<PhysicalType>(code)) {
        case PhysicalType::boolean1:
        case PhysicalType::char1:
        case PhysicalType::integer1:
        case PhysicalType::uns_integer1: return 1;
        case PhysicalType::boolean2:
        case PhysicalType::char2:
        case PhysicalType::integer2:
        case PhysicalType::uns_integer2: return 2;
        case PhysicalType::boolean4:
        case PhysicalType::integer4:
        case PhysicalType::uns_integer4:
        case PhysicalType::real4: return 4;
        case PhysicalType::real8:
        case PhysicalType::complex8: return 8;
        case PhysicalType::complex16:
        case PhysicalType::guid: return 16;
        case PhysicalType::timestamp: return timestamp_size;
    }
    return 0;
}

std::uint32_t get_u32(std::span<const std::byte> s, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v |= std::to_integer<std::uint32_t>(s[at + i]) << (8 * i);
    return v;
}

std::int32_t get_i32(std::span<const std::byte> s, std::size_t at) { return static_cast<std::int32_t>(get_u32(s, at)); }

double get_f64(std::span<const std::byte> s, std::size_t at) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v |= std::to_integer<std::uint64_t>(s[at + i]) << (8 * i);
    return std::bit_cast<double>(v);
}

Guid get_guid(std::span<const std::byte> s, std::size_t at) {
    Guid g;
    std::memcpy(g.bytes.data(), s.data() + at, g.bytes.size());
    return g;
}

}  // namespace gridgate::files::pqdif
