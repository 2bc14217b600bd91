// TIMESTAMPPQDIF: UINT4 days (1970-01-01 = day 25569, the standard's EXCEL_DAYCOUNT_ADJUST)
// and REAL8 seconds since midnight. A day is under 2^37 µs, so a REAL8 second count holds
// every microsecond of it exactly enough to round back to the same microsecond.
#include "pqdif_time.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "pqdif_format.hpp"

namespace gridgate::files::pqdif {

namespace {
constexpr std::int64_t us_per_day = 86'400'000'000;
constexpr std::int64_t last_day = 2'958'465;  // 9999-12-31 in the standard's day count

void put_le(std::array<std::byte, 12>& out, std::size_t at, std::uint64_t v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[at + i] = static_cast<std::byte>((v >> (8 * i)) & 0xFF);
}
}  // namespace

std::array<std::byte, 12> encode_timestamp(TimestampUs us) {
    std::int64_t days = us / us_per_day;
    std::int64_t rest = us % us_per_day;
    if (rest < 0) {
        rest += us_per_day;
        --days;
    }
    days += unix_epoch_day;
    if (days < 0 || days > last_day) throw std::invalid_argument("PQDIF timestamp out of range");
    std::array<std::byte, 12> out{};
    put_le(out, 0, static_cast<std::uint64_t>(days), 4);
    put_le(out, 4, std::bit_cast<std::uint64_t>(static_cast<double>(rest) / 1e6), 8);
    return out;
}

std::optional<TimestampUs> decode_timestamp(std::span<const std::byte> twelve) {
    if (twelve.size() < timestamp_size) return std::nullopt;
    const std::int64_t days = get_u32(twelve, 0);
    const double seconds = get_f64(twelve, 4);
    // Up to 86401 s: a leap second, or a writer that rounded 86399.9999995 up.
    if (days > last_day || !std::isfinite(seconds) || seconds < 0.0 || seconds >= 86401.0) return std::nullopt;
    return (days - unix_epoch_day) * us_per_day + std::llround(seconds * 1e6);
}

}  // namespace gridgate::files::pqdif
