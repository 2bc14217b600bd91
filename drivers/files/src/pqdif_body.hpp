#pragma once
// One record body as a tree of elements (collections, scalars, vectors), read field by
// field with every link and count checked against the body. Values stay views into the
// body, so the body must outlive the tree.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pqdif_format.hpp"

namespace gridgate::files::pqdif {

struct Element {
    Guid tag;
    ElementType type = ElementType::collection;
    std::uint8_t physical = 0;          // physical type code (scalars and vectors)
    std::uint32_t count = 0;            // values of a vector, elements of a collection
    std::span<const std::byte> value;   // a scalar's value or a vector's values
    std::vector<Element> children;      // a collection's elements, in order

    const Element* find(const Guid& t) const;  // first child with that tag
    bool is_scalar(PhysicalType p) const { return type == ElementType::scalar && physical == static_cast<std::uint8_t>(p); }
    bool is_vector(PhysicalType p) const { return type == ElementType::vector && physical == static_cast<std::uint8_t>(p); }
};

struct ParsedBody {
    std::optional<Element> root;  // the body's collection, tagged with the record type
    std::string error;            // why there is no root
};

// max_depth bounds collection nesting (the root is depth 1).
ParsedBody parse_body(std::span<const std::byte> body, const Guid& record_type, std::size_t max_depth);

}  // namespace gridgate::files::pqdif
