#pragma once
// The meter's analog auto-scaling (reference/meter-modbus.md §9.5):
//   raw = round(value / range * 32767 * scale_factor), clamped to a signed 16-bit register.
// Worked example from the manual: 12.56 A on the 0-20 A range -> 20578.
#include <cstdint>

namespace gridgate::sim {

std::int16_t scale_analog(double value, double range, double scale_factor = 1.0);

// The register as it travels on the wire (two's complement).
inline std::uint16_t analog_register(double value, double range, double scale_factor = 1.0) {
    return static_cast<std::uint16_t>(scale_analog(value, range, scale_factor));
}

}  // namespace gridgate::sim
