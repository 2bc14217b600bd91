#pragma once
// "1G", "512M", "300000K", "4096": binary multiples, for the store tools' size options.
#include <cstdint>
#include <limits>
#include <string>

namespace gridgate::bench {

inline bool parse_size(const std::string& text, std::uint64_t& out) {
    if (text.empty()) return false;
    std::uint64_t number = 0;
    std::size_t i = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        const auto digit = static_cast<std::uint64_t>(text[i] - '0');
        if (number > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
        number = number * 10 + digit;
    }
    if (i == 0) return false;
    std::uint64_t unit = 1;
    const std::string suffix = text.substr(i);
    if (suffix == "K" || suffix == "k") unit = 1ULL << 10;
    else if (suffix == "M" || suffix == "m") unit = 1ULL << 20;
    else if (suffix == "G" || suffix == "g") unit = 1ULL << 30;
    else if (!suffix.empty()) return false;
    if (number > std::numeric_limits<std::uint64_t>::max() / unit) return false;
    out = number * unit;
    return true;
}

}  // namespace gridgate::bench
