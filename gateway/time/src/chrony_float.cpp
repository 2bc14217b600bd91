// chrony's own number formats on the wire: its 32-bit float and its split timespec.
#include <cmath>
#include <cstdint>

#include "gridgate/time/chrony_protocol.hpp"

namespace gridgate::timesync::chrony {

namespace {
constexpr int exponent_bits = 7;
constexpr int coefficient_bits = 32 - exponent_bits;  // 25
constexpr int exponent_min = -(1 << (exponent_bits - 1));  // -64
constexpr int exponent_max = (1 << (exponent_bits - 1)) - 1;  // 63
constexpr std::int32_t coefficient_max = (1 << (coefficient_bits - 1)) - 1;  // 2^24 - 1
constexpr std::uint32_t coefficient_mask = (1u << coefficient_bits) - 1;

// Sign-extends the low `bits` bits of v.
std::int32_t sign_extend(std::uint32_t v, int bits) {
    const std::uint32_t sign = 1u << (bits - 1);
    v &= (sign << 1) - 1;
    return static_cast<std::int32_t>(v ^ sign) - static_cast<std::int32_t>(sign);
}

std::uint32_t pack(int exponent, std::int32_t coefficient) {
    return (static_cast<std::uint32_t>(exponent) << coefficient_bits) |
           (static_cast<std::uint32_t>(coefficient) & coefficient_mask);
}
}  // namespace

double decode_float(std::uint32_t raw) {
    const int exponent = sign_extend(raw >> coefficient_bits, exponent_bits);
    const std::int32_t coefficient = sign_extend(raw, coefficient_bits);
    return std::ldexp(static_cast<double>(coefficient), exponent - coefficient_bits);
}

std::uint32_t encode_float(double value) {
    if (std::isnan(value) || value == 0.0) return 0;
    const bool negative = value < 0;
    const double magnitude = std::fabs(value);

    // magnitude = m * 2^k with 0.5 <= m < 1. The coefficient keeps 24 bits of m, so
    // value = coefficient * 2^(exponent - 25) with exponent = k + 1.
    int k = 0;
    const double m = std::isinf(magnitude) ? 1.0 : std::frexp(magnitude, &k);
    int exponent = std::isinf(magnitude) ? exponent_max + 1 : k + 1;
    auto coefficient = static_cast<std::int64_t>(std::llround(std::ldexp(m, coefficient_bits - 1)));
    if (coefficient > coefficient_max) {  // m rounded up to 1.0
        coefficient >>= 1;
        ++exponent;
    }
    if (exponent > exponent_max) {  // too big: the largest representable magnitude
        exponent = exponent_max;
        coefficient = coefficient_max;
    } else if (exponent < exponent_min) {  // too small: give up low bits, maybe all
        const int shift = exponent_min - exponent;
        coefficient = shift >= coefficient_bits ? 0 : coefficient >> shift;
        exponent = exponent_min;
        if (coefficient == 0) return 0;
    }
    const auto signed_coefficient = static_cast<std::int32_t>(negative ? -coefficient : coefficient);
    return pack(exponent, signed_coefficient);
}

TimestampUs decode_timespec(std::uint32_t sec_high, std::uint32_t sec_low, std::uint32_t nsec) {
    // 0x7fffffff in the high half is what a chronyd with a 32-bit time_t sends.
    const std::uint64_t high = sec_high == 0x7fffffffu ? 0 : sec_high;
    const auto seconds = static_cast<std::int64_t>((high << 32) | sec_low);
    const std::uint32_t ns = nsec > 999'999'999u ? 999'999'999u : nsec;
    return seconds * 1'000'000 + static_cast<std::int64_t>(ns / 1000);
}

}  // namespace gridgate::timesync::chrony
