#pragma once
// Hex helpers for traces and for tests that feed frames written as "00 01 02 ...".
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gridgate {

// "0a 1b ff" (lower case, space separated).
std::string to_hex(std::span<const std::byte> bytes);
// Accepts hex digits with optional spaces; nullopt on an odd count or a bad digit.
std::optional<std::vector<std::byte>> from_hex(std::string_view text);

}  // namespace gridgate
