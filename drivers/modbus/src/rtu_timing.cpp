// Modbus RTU line timing arithmetic.
#include "gridgate/modbus/rtu_timing.hpp"

namespace gridgate::modbus {

namespace {

// ceil(halves / 2 * bits * 1e6 / baud) microseconds, in integers.
Duration half_characters(std::uint64_t halves, unsigned bits, unsigned baud) {
    const std::uint64_t numerator = halves * bits * 1'000'000;
    const std::uint64_t denominator = 2 * std::uint64_t{baud};
    return Duration{static_cast<Duration::rep>((numerator + denominator - 1) / denominator)};
}

}  // namespace

unsigned bits_per_character(unsigned data_bits, bool parity, unsigned stop_bits) {
    return 1 + data_bits + (parity ? 1 : 0) + stop_bits;
}

Duration RtuTiming::wire_time(std::size_t bytes) const {
    if (baud == 0) return Duration{0};
    return half_characters(2 * std::uint64_t{bytes}, wire_bits, baud);
}

RtuTiming rtu_timing(unsigned baud, unsigned wire_bits) {
    RtuTiming t;
    t.baud = baud;
    t.wire_bits = wire_bits;
    if (baud == 0) return t;
    t.character = half_characters(2, wire_bits, baud);
    if (baud > rtu_fixed_timing_above_baud) {
        t.t1_5 = Duration{750};
        t.t3_5 = Duration{1750};
    } else {
        t.t1_5 = half_characters(3, rtu_spec_bits_per_character, baud);
        t.t3_5 = half_characters(7, rtu_spec_bits_per_character, baud);
    }
    return t;
}

Duration rtu_read_cycle_floor(const RtuTiming& timing, std::uint16_t registers, Duration slave_turnaround) {
    const std::size_t characters = 13 + 2 * std::size_t{registers};
    return timing.wire_time(characters) + 2 * timing.t3_5 + slave_turnaround;
}

}  // namespace gridgate::modbus
