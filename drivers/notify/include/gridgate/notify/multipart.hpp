#pragma once
// multipart/form-data bodies (RFC 7578 over RFC 2046), as the reference meter posts its
// notifications: part "json_msg" (the JSON) and part "pqdif_file" (the file). Pure.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gridgate::notify {

struct MultipartPart {
    std::string name;          // Content-Disposition name
    std::string filename;      // Content-Disposition filename ("" when absent)
    std::string content_type;  // "" when absent (text/plain by default)
    std::string body;          // the part's octets
};

struct MultipartLimits {
    std::size_t max_parts = 8;
    std::size_t max_part_header_bytes = 4096;
};

struct MultipartResult {
    bool ok = false;
    std::string error;                 // why it was refused (for the 400 body and the log)
    std::vector<MultipartPart> parts;
};

// The boundary parameter of a multipart/form-data Content-Type (quoted or not);
// nullopt when the type is not multipart/form-data or the boundary is missing/invalid
// (RFC 2046: 1..70 characters).
std::optional<std::string> multipart_boundary(std::string_view content_type);
// Splits a body. Refuses a missing closing delimiter, a part without a
// Content-Disposition form-data name, header lines that are not "Name: value", and
// anything over the limits. The preamble and epilogue are ignored.
MultipartResult parse_multipart(std::string_view body, std::string_view boundary, const MultipartLimits& limits = {});

}  // namespace gridgate::notify
