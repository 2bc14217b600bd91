#include "gridgate/sim/rtu_request_length.hpp"

#include <cstdint>

namespace gridgate::sim {

namespace {

using Kind = RtuRequestLength::Kind;

RtuRequestLength fixed(std::size_t bytes) { return {Kind::known, bytes}; }

// A frame whose length is `header` bytes plus the byte count found at `count_at`, plus
// the CRC.
RtuRequestLength counted(std::span<const std::byte> prefix, std::size_t count_at, std::size_t header) {
    if (prefix.size() <= count_at) return {Kind::need_more, 0};
    const std::size_t bytes = header + std::to_integer<std::size_t>(prefix[count_at]) + 2;
    if (bytes > max_rtu_frame) return {Kind::invalid, 0};
    return fixed(bytes);
}

}  // namespace

RtuRequestLength rtu_request_length(std::span<const std::byte> prefix) {
    if (prefix.size() < 2) return {Kind::need_more, 0};
    switch (std::to_integer<std::uint8_t>(prefix[1])) {
        // address, function, two 16-bit fields, CRC
        case 0x01: case 0x02: case 0x03: case 0x04: case 0x05: case 0x06:
        case 0x08:  // diagnostics: sub-function and one data word in every defined case
            return fixed(8);
        // address, function, CRC: read exception status, comm event counter / log,
        // report server id
        case 0x07: case 0x0B: case 0x0C: case 0x11: return fixed(4);
        // address, function, start, quantity, byte count, values, CRC
        case 0x0F: case 0x10: return counted(prefix, 6, 7);
        // address, function, byte count, sub-requests, CRC
        case 0x14: case 0x15: return counted(prefix, 2, 3);
        // mask write register: address, function, reference, and-mask, or-mask, CRC
        case 0x16: return fixed(10);
        // read/write multiple registers: read start/quantity, write start/quantity,
        // byte count, values, CRC
        case 0x17: return counted(prefix, 10, 11);
        // read FIFO queue: address, function, pointer, CRC
        case 0x18: return fixed(6);
        default: return {Kind::unknown, 0};  // FC43 (MEI) and anything unassigned
    }
}

}  // namespace gridgate::sim
