#pragma once
// Structured header values as MIME and HTTP write them: `token[/token] *( ";" name "=" value )`
// with values as tokens or quoted strings (Content-Type, Content-Disposition). Pure.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gridgate::notify::detail {

struct HeaderValue {
    std::string value;  // the leading token (media type or disposition), lower-cased
    std::vector<std::pair<std::string, std::string>> params;  // names lower-cased, values unquoted

    // The first parameter with that (lower-case) name.
    const std::string* param(std::string_view name) const;
};

// nullopt when the text does not follow the grammar (unterminated quote, parameter
// without "=", empty leading token...).
std::optional<HeaderValue> parse_header_value(std::string_view text);

std::string to_lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b);
std::string_view trim(std::string_view text);  // spaces and tabs at both ends

}  // namespace gridgate::notify::detail
