#pragma once
// The bytes an RTU slave puts on the line for a reply, with the framing faults applied.
// Pure, so tests can check a faulty reply byte for byte.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "gridgate/sim/simulated_meter.hpp"

namespace gridgate::sim {

// For a pdu reply: address, PDU, CRC (low byte first), where
//   - Framing::bad_crc inverts both CRC bytes (never the right CRC),
//   - Framing::wrong_address puts wrong_address_for(address) in the address byte and
//     the CRC of the frame as sent (a well-formed reply from the wrong slave).
// Noise (Framing::noise_before) is not part of the frame: the bus sends reply.noise
// first. A raw reply (fault garbage) is sent as is; Kind::none gives nothing.
std::vector<std::byte> encode_rtu_reply(std::uint8_t address, const Reply& reply);

}  // namespace gridgate::sim
