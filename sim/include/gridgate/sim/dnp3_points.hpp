#pragma once
// The simulated meter's DNP3 points, read from its MeterModel so that DNP3 and Modbus
// report the same meter (reference/meter-dnp3.md §6, §7 and Appendix C):
//   counters (g20/g21/g23) point k = the Modbus counter k, in the meter's counter units
//     (Wh, varh, VAh: the raw FC03 value, not the Appendix's 0.001 kWh scaling); the
//     defaults 1-4 are Wh del, Wh rec, varh del, varh rec, point 5 is VAh del;
//   analogs (g30) points 1-18 as Appendix C (W A/B/C/poly, var, VA, V A/B/C, A A/B/C),
//     then 19 = frequency, 20-23 = PF A/B/C/total; further points are unused (0);
//   binary inputs (g1) 1-2 = digital inputs 1-2 (Modbus discrete inputs 0-1);
//   binary outputs (g10) 1-4 = Ch3..Ch6 (Modbus coils 2-5).
// Points here are 0-based (JEMWare point p is point p - 1).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gridgate/sim/load_model.hpp"
#include "gridgate/sim/meter_model.hpp"

namespace gridgate::sim {

// The measurement of analog point k in secondary engineering units (W, var, VA, V, A,
// Hz, PF); 0 for unused points.
double dnp3_analog_measurement(const Instant& instant, std::size_t point);
// Its auto-scaling range (§7.2, the 16-bit method); 0 for unused points.
double dnp3_analog_range(std::size_t point);
std::string_view dnp3_analog_name(std::size_t point);  // "watts_a", ... "unused"

// §7.1, 32-bit objects: measurement × 1000 × scale factor (1), rounded, clamped to int32.
std::int32_t dnp3_analog_32(const Instant& instant, std::size_t point);
// 16-bit objects: the meter's 16-bit method (the same raw value as the Modbus register).
std::int16_t dnp3_analog_16(const Instant& instant, std::size_t point);

std::uint32_t dnp3_counter(const MeterModel& model, std::size_t point);
bool dnp3_binary_input(const MeterModel& model, std::size_t point);
bool dnp3_binary_output(const MeterModel& model, std::size_t point);

}  // namespace gridgate::sim
