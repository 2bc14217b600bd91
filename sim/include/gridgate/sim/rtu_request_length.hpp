#pragma once
// How long an RTU request frame (address, function, data, CRC) is, from its first
// bytes. Requests have a fixed length per function code except those that carry a byte
// count (FC15, FC16, ...), so a slave can tell a request is complete without waiting
// for the line to fall silent. Lengths from the Modbus application protocol
// specification v1.1b3, request side only. Pure.
#include <cstddef>
#include <span>

namespace gridgate::sim {

// The largest RTU frame the standard allows (address + 253-byte PDU + CRC).
inline constexpr std::size_t max_rtu_frame = 256;

struct RtuRequestLength {
    enum class Kind {
        known,      // the frame is `bytes` long
        need_more,  // the prefix is too short to tell yet
        unknown,    // no length rule for this function: only line silence ends it
        invalid,    // the prefix cannot start a request (length over max_rtu_frame)
    };
    Kind kind = Kind::need_more;
    std::size_t bytes = 0;  // for known
};

RtuRequestLength rtu_request_length(std::span<const std::byte> prefix);

}  // namespace gridgate::sim
