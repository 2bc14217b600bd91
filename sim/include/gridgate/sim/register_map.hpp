#pragma once
// The simulated JEMStar II's default Modbus map (reference/meter-modbus.md §9). The
// project's example configuration and tests rely on these addresses exactly.
#include <cstddef>
#include <cstdint>

namespace gridgate::sim {

// Sizes of the four Modbus tables. Counters are 32-bit pairs, so the holding-register
// table is 2 * counter_pairs registers long.
struct MapLayout {
    std::uint16_t counter_pairs = 150;  // FC03: 300 registers
    std::uint16_t analog_count = 200;   // FC04
    std::uint16_t discrete_count = 100; // FC02
    std::uint16_t coil_count = 14;      // FC01 / FC05 / FC15
    std::uint16_t max_preset_registers = 120;  // FC16 limit from the manual (§12)

    std::uint32_t holding_register_count() const { return 2u * counter_pairs; }
};

// The largest counter_pairs a layout may have: 2 * pairs registers must fit in 16-bit
// addresses.
inline constexpr std::uint16_t max_counter_pairs = 0x7FFF;

// Counters (FC03), by counter index k: the value sits at PDU addresses 2k (high word)
// and 2k+1 (low word). Raw units Wh / varh / VAh; 9-digit display registers.
enum class Counter : std::uint16_t { wh_del = 0, wh_rec = 1, varh_del = 2, varh_rec = 3, vah_del = 4 };
inline constexpr std::size_t assigned_counter_count = 5;
inline constexpr std::uint32_t counter_rollover = 1'000'000'000;  // 999,999,999 + 1 -> 0

constexpr std::uint16_t counter_address(Counter c) { return static_cast<std::uint16_t>(2 * static_cast<unsigned>(c)); }

// Analogs (FC04), by PDU address. Unlisted addresses read 0.
enum class Analog : std::uint16_t {
    va = 0, vb = 1, vc = 2,
    ia = 3, ib = 4, ic = 5,
    wa = 6, wb = 7, wc = 8, w_total = 9,
    vara = 10, varb = 11, varc = 12, var_total = 13,
    pfa = 14, pfb = 15, pfc = 16, pf_total = 17,
    freq = 18,
};
inline constexpr std::size_t assigned_analog_count = 19;

// Measurement ranges of the manual's auto-scaling (§9.5), secondary values.
inline constexpr double volts_range = 530.0;
inline constexpr double amps_range = 20.0;
inline constexpr double phase_power_range = 10'600.0;  // W / var per phase, bidirectional
inline constexpr double total_power_range = 31'800.0;  // W / var three-phase, bidirectional
inline constexpr double power_factor_range = 1.0;
inline constexpr double frequency_range = 100.0;

// Discrete inputs (FC02), by PDU address. Unlisted addresses read 0.
enum class DiscreteInput : std::uint16_t { di1 = 0, di2 = 1, trig1 = 2, trig2 = 3, trig3 = 4 };

}  // namespace gridgate::sim
