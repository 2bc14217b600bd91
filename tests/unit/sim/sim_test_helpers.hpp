#pragma once
// Helpers shared by the metersim tests: hex PDUs, request builders, fixed times.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "gridgate/core/hex.hpp"
#include "gridgate/core/time.hpp"

namespace sim_test {

inline std::vector<std::byte> hex(const std::string& text) { return gridgate::from_hex(text).value(); }
inline std::string hex(const std::vector<std::byte>& bytes) { return gridgate::to_hex(bytes); }

// An arbitrary steady-clock origin; the model only looks at differences.
inline const gridgate::SteadyTime t0 = gridgate::SteadyTime{} + std::chrono::hours(100);

inline gridgate::SteadyTime at_seconds(double s) {
    return t0 + std::chrono::duration_cast<gridgate::Duration>(std::chrono::duration<double>(s));
}

// A 5-byte request PDU: function, address, quantity/value.
inline std::vector<std::byte> pdu(std::uint8_t fc, std::uint16_t address, std::uint16_t quantity) {
    return {std::byte{fc}, std::byte(address >> 8), std::byte(address & 0xFF), std::byte(quantity >> 8),
            std::byte(quantity & 0xFF)};
}

}  // namespace sim_test
