#pragma once
// Building record bodies for the writer: a tree of nodes, laid out the way the standard's
// reference writers do (a collection's entries first, then each linked element in order,
// every element padded to 4 octets; scalars of up to 8 octets embedded in their entry).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "gridgate/core/time.hpp"
#include "pqdif_format.hpp"

namespace gridgate::files::pqdif {

struct Node {
    Guid tag;
    ElementType type = ElementType::collection;
    PhysicalType physical = PhysicalType::uns_integer4;
    std::uint32_t count = 0;       // vector values
    std::vector<std::byte> data;   // scalar value or vector values
    std::vector<Node> children;    // collection elements
};

Node collection(const Guid& tag, std::vector<Node> children);
Node scalar_u32(const Guid& tag, std::uint32_t v);
Node scalar_bool4(const Guid& tag, bool v);
Node scalar_f64(const Guid& tag, double v);
Node scalar_guid(const Guid& tag, const Guid& v);
Node scalar_time(const Guid& tag, TimestampUs us);
Node vector_text(const Guid& tag, std::string_view text);  // CHAR1, NUL-terminated
Node vector_u32(const Guid& tag, const std::vector<std::uint32_t>& v);
Node vector_i32(const Guid& tag, const std::vector<std::int32_t>& v);
Node vector_f64(const Guid& tag, const std::vector<double>& v);

// The body octets of a record whose root collection is `root`.
std::vector<std::byte> serialize_body(const Node& root);

// Records laid end to end with their 64-octet headers, each linking to the next (the last
// to 0); with `compress`, every body but the first (the container's) is deflated. The
// header checksum is the Adler-32 of the stored body. Defined in pqdif_write.cpp.
struct RawRecord {
    Guid type;
    std::vector<std::byte> body;
};
std::vector<std::byte> assemble_records(const std::vector<RawRecord>& records, bool compress);

}  // namespace gridgate::files::pqdif
