#pragma once
// zlib for record-level compression (ID_COMP_ALG_ZLIB: RFC 1950 streams) and Adler-32.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gridgate::files::pqdif {

struct Inflated {
    std::vector<std::byte> data;
    std::string error;  // empty when the body inflated completely
};

// Inflates a record body: one zlib stream, or several back to back (some writers compress
// in chunks). Stops with an error instead of producing more than max_out octets.
Inflated inflate_body(std::span<const std::byte> stored, std::size_t max_out);
std::vector<std::byte> deflate_body(std::span<const std::byte> body);
std::uint32_t adler32_of(std::span<const std::byte> bytes);

}  // namespace gridgate::files::pqdif
