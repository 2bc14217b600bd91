#pragma once
// The Modbus RTU error check (CRC-16, reflected polynomial 0xA001, initial value
// 0xFFFF; reference/meter-modbus.md §4 steps 1-8). On the wire the low byte goes first,
// as the Modbus standard says: the manual's "most significant byte first" (step 9)
// contradicts the standard and every master (§16 #4), so the simulator follows the
// standard. Written here, independently of the gateway's driver, so that the two cannot
// agree on a mistake.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gridgate::sim {

std::uint16_t rtu_crc16(std::span<const std::byte> bytes);

// Appends the CRC of everything already in `frame`, low byte first.
void append_rtu_crc(std::vector<std::byte>& frame);

// True when `frame` (address .. CRC) is at least 4 bytes and its last two bytes are the
// CRC of the rest.
bool rtu_crc_ok(std::span<const std::byte> frame);

}  // namespace gridgate::sim
