#pragma once
// Modbus RTU line timing (Modbus over Serial Line v1.02, 2.5.1.1). Pure arithmetic.
//
// The spec measures its silences in characters of 11 bits (start, 8 data, parity or a
// second stop bit, stop): t1.5 is the longest gap allowed inside a frame, t3.5 the
// silence that separates frames. Above 19200 baud they are fixed at 750 us and 1750 us.
// A line set to 8N1 carries 10-bit characters; its silences still use the spec's
// 11-bit character (the longer, safe choice), while the time the bytes themselves take
// on the wire uses the real character size.
#include <cstddef>
#include <cstdint>

#include "gridgate/core/time.hpp"

namespace gridgate::modbus {

inline constexpr unsigned rtu_spec_bits_per_character = 11;
inline constexpr unsigned rtu_fixed_timing_above_baud = 19200;

// 1 start bit + data bits + 1 parity bit (if any) + stop bits.
unsigned bits_per_character(unsigned data_bits, bool parity, unsigned stop_bits);

struct RtuTiming {
    unsigned baud = 0;
    unsigned wire_bits = rtu_spec_bits_per_character;
    Duration character{};  // one character on the wire (real character size), rounded up
    Duration t1_5{};       // inter-character timeout
    Duration t3_5{};       // inter-frame silence

    // Time `bytes` characters take on the wire, back to back, computed exactly and then
    // rounded up once (not `bytes` times the rounded character).
    Duration wire_time(std::size_t bytes) const;
};

// Times for `baud` (> 0) with `wire_bits` bits per character; rounded up to the
// microsecond so a silence is never shorter than the spec's.
RtuTiming rtu_timing(unsigned baud, unsigned wire_bits = rtu_spec_bits_per_character);

// The physical ceiling of one read of `registers` registers (FC03/FC04) at this timing:
// request (8 bytes) + response (5 + 2N bytes) + two t3.5 silences + the slave's
// turnaround. No master can poll faster on a real line.
Duration rtu_read_cycle_floor(const RtuTiming& timing, std::uint16_t registers, Duration slave_turnaround);

}  // namespace gridgate::modbus
