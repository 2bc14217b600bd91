#pragma once
// OBIS codes (IEC 62056-61): six value groups A.B.C.D.E.F, the logical name of a COSEM object.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gridgate::dlms {

struct Obis {
    std::array<std::uint8_t, 6> v{};

    // Accepts "1.0.1.8.0.255", "1-0:1.8.0.255", "1-0:1.8.0*255", "1.0.1.8.0" and
    // "1-0:1.8.0" (F = 255 when left out); groups are decimal 0..255 (leading zeros
    // allowed). nullopt otherwise (a group over 255, wrong count, junk, spaces).
    static std::optional<Obis> parse(std::string_view text);
    static std::optional<Obis> from_bytes(std::span<const std::uint8_t> octets);  // exactly 6
    std::string to_string() const;  // "1.0.1.8.0.255"
    auto operator<=>(const Obis&) const = default;
};

// Objects every COSEM server has, and the reference meter's (meter-dlms.md).
namespace obis {
inline constexpr Obis clock{{0, 0, 1, 0, 0, 255}};
inline constexpr Obis current_association{{0, 0, 40, 0, 0, 255}};
inline constexpr Obis load_profile_1{{1, 0, 99, 1, 0, 255}};
inline constexpr Obis load_profile_2{{1, 0, 98, 1, 0, 255}};
}  // namespace obis

}  // namespace gridgate::dlms
