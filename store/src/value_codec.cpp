#include "value_codec.hpp"

#include <array>
#include <bit>
#include <cmath>

namespace gridgate::store::value_codec {

namespace {

// Exact powers of ten, and the double literals a configuration's "scale: 0.001" parses to.
constexpr std::array<double, 8> pow10{1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6, 1e7};
constexpr std::array<double, 8> inv_pow10{1.0, 0.1, 0.01, 0.001, 1e-4, 1e-5, 1e-6, 1e-7};
constexpr double mantissa_limit = 1125899906842624.0;  // 2^50: m*16 fits easily, m is exact as a double
constexpr std::int64_t tag_count = 16;
constexpr std::int64_t multiply_form = 8;

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

}  // namespace

Encoded encode(double value) {
    if (std::isnan(value)) return {};
    if (!std::isfinite(value)) return {Encoded::Kind::real, 0, value};
    for (std::size_t k = 0; k < pow10.size(); ++k) {
        const double scaled = value * pow10[k];
        if (!(std::fabs(scaled) < mantissa_limit)) break;  // more digits only make it larger
        const auto m = static_cast<std::int64_t>(std::llround(scaled));
        const auto mantissa = static_cast<double>(m);
        const auto digits = static_cast<std::int64_t>(k);
        if (same_bits(mantissa / pow10[k], value)) return {Encoded::Kind::integer, m * tag_count + digits, 0.0};
        if (k > 0 && same_bits(mantissa * inv_pow10[k], value))
            return {Encoded::Kind::integer, m * tag_count + multiply_form + digits, 0.0};
    }
    return {Encoded::Kind::real, 0, value};
}

double decode_integer(std::int64_t stored) {
    // Arithmetic shift and mask undo m * 16 + tag for negative m too (C++20 defines both).
    const std::int64_t m = stored >> 4;
    const auto tag = static_cast<std::size_t>(stored & (tag_count - 1));
    const std::size_t k = tag & 7;
    const auto mantissa = static_cast<double>(m);
    return (tag & static_cast<std::size_t>(multiply_form)) != 0 ? mantissa * inv_pow10[k] : mantissa / pow10[k];
}

}  // namespace gridgate::store::value_codec
