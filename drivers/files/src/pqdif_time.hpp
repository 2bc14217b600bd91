#pragma once
// TIMESTAMPPQDIF <-> UTC microseconds.
#include <array>
#include <cstddef>
#include <optional>
#include <span>

#include "gridgate/core/time.hpp"

namespace gridgate::files::pqdif {

// The 12 stored octets of a UTC time; throws std::invalid_argument outside the day count 0..9999-12-31.
std::array<std::byte, 12> encode_timestamp(TimestampUs us);
// nullopt for a day count after 9999 or seconds outside one day (or not a number).
std::optional<TimestampUs> decode_timestamp(std::span<const std::byte> twelve);

}  // namespace gridgate::files::pqdif
