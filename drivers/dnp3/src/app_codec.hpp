#pragma once
// Shared pieces of the DNP3 application codec (private): object layouts, object headers,
// time fields. The public API is in gridgate/dnp3/app.hpp.
#include <optional>
#include <string>
#include <vector>

#include "codec_wire.hpp"
#include "gridgate/dnp3/app.hpp"

namespace gridgate::dnp3::detail {

enum class ValueType : std::uint8_t { none, bit, unsigned_int, signed_int, real };

// The layout of one point object: [flags] [value] [time48 | relative time16].
struct PointLayout {
    PointKind kind = PointKind::counter;
    bool packed = false;       // one bit per point (g1v1, g10v1)
    bool flags = false;        // a flag octet first
    ValueType type = ValueType::none;
    std::size_t value_size = 0;  // 0, 2, 4 or 8 octets
    bool time48 = false;
    bool relative_time = false;  // 16-bit ms after the preceding CTO (g2v3)

    std::size_t size() const { return (flags ? 1 : 0) + value_size + (time48 ? 6 : 0) + (relative_time ? 2 : 0); }
};

std::optional<PointLayout> point_layout(std::uint8_t group, std::uint8_t variation);

inline bool is_binary(PointKind k) {
    return k == PointKind::binary_input || k == PointKind::binary_input_event || k == PointKind::binary_output;
}

inline bool is_index_qualifier(Qualifier q) { return q == Qualifier::index_8 || q == Qualifier::index_16; }
inline bool is_range_qualifier(Qualifier q) { return q == Qualifier::start_stop_8 || q == Qualifier::start_stop_16; }
inline bool is_count_qualifier(Qualifier q) { return q == Qualifier::count_8 || q == Qualifier::count_16; }
// Octets of the index prefix in front of each object (0 without one).
inline std::size_t prefix_size(Qualifier q) {
    return q == Qualifier::index_8 ? 1 : q == Qualifier::index_16 ? 2 : 0;
}

ParseError error_at(std::size_t offset, std::string message);
std::string hex_octet(std::uint8_t v);                        // "0a"
std::string object_name(std::uint8_t group, std::uint8_t variation);  // "g20v5"

// Reads group, variation, qualifier and range (for index qualifiers the count only; the
// prefixes come with the objects). Fills `error` and returns false on a bad or truncated
// header.
bool read_object_header(wire::Reader& r, ObjectHeader& h, ParseError& error);
// Writes group, variation, qualifier and the range or count of `h`.
void write_object_header(std::vector<std::uint8_t>& out, const ObjectHeader& h);

// Index of the i-th object under a header without index prefixes.
inline std::uint32_t implied_index(const ObjectHeader& h, std::uint32_t i) {
    return is_range_qualifier(h.qualifier) ? h.start + i : i;
}

inline void put_time48(std::vector<std::uint8_t>& out, DnpTime t) { wire::put_le(out, t & wire::time48_mask, 6); }

}  // namespace gridgate::dnp3::detail
