#pragma once
// The meter's IC3 registers (meter-dlms.md §6.2): instantaneous values from the load
// model at the meter's current second and energy totals from the integrated load.
//
// As the manual prints them: attribute 2 is double-long-unsigned holding the engineering
// value x1000, attribute 3 says scaler 0 (the manual's own conflict; a client must apply
// the fixed x1000 itself). Unsigned throughout: received quantities are positive
// magnitudes, phase angles are given in 0..360 degrees. The x1000 leaves the energy
// registers 4 294 967.295 Wh of range; beyond that they roll over like a counter
// (modulo 2^32). Values are secondary quantities (the load model's).
//
// The digest announces 54 registers; its table lists 53, and those are what we serve.
#include <cstdint>
#include <vector>

#include "dlms_server_energy.hpp"
#include "gridgate/dlms/obis.hpp"
#include "gridgate/sim/load_model.hpp"

namespace gridgate::sim::dlms_server {

enum class Quantity : std::uint8_t {
    watts_del, watts_rec, vars_del, vars_rec, va_del, va_rec,
    volts, volts_avg, amps, amps_sum, amps_neutral, amps_avg, pf, frequency,
    volts_angle, amps_angle, wh_del, wh_rec,
};

// Blue Book unit codes used here.
namespace unit {
inline constexpr std::uint8_t degree = 8;
inline constexpr std::uint8_t watt = 27;
inline constexpr std::uint8_t volt_ampere = 28;
inline constexpr std::uint8_t var = 29;
inline constexpr std::uint8_t watt_hour = 30;
inline constexpr std::uint8_t ampere = 33;
inline constexpr std::uint8_t volt = 35;
inline constexpr std::uint8_t hertz = 44;
inline constexpr std::uint8_t none = 255;  // count / unitless
}  // namespace unit

struct RegisterDef {
    dlms::Obis obis;
    Quantity quantity;
    std::uint8_t phase;  // 0..2 = A..C, 3 = polyphase / total
    std::uint8_t unit;
};

const std::vector<RegisterDef>& register_table();

// The engineering value of a register from the load during the current second and the
// energy totals.
double register_value(const RegisterDef& def, const Instant& load, const EnergySums& energy);
// Attribute 2 as sent: round(value x 1000) modulo 2^32, negative values as 0.
std::uint32_t scaled_x1000(double value);

}  // namespace gridgate::sim::dlms_server
