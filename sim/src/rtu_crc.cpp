#include "gridgate/sim/rtu_crc.hpp"

namespace gridgate::sim {

std::uint16_t rtu_crc16(std::span<const std::byte> bytes) {
    std::uint16_t crc = 0xFFFF;
    for (const std::byte b : bytes) {
        crc = static_cast<std::uint16_t>(crc ^ std::to_integer<std::uint16_t>(b));
        for (int bit = 0; bit < 8; ++bit) {
            const bool lsb = (crc & 1u) != 0;
            crc = static_cast<std::uint16_t>(crc >> 1);
            if (lsb) crc = static_cast<std::uint16_t>(crc ^ 0xA001u);
        }
    }
    return crc;
}

void append_rtu_crc(std::vector<std::byte>& frame) {
    const std::uint16_t crc = rtu_crc16(frame);
    frame.push_back(static_cast<std::byte>(crc & 0xFF));
    frame.push_back(static_cast<std::byte>(crc >> 8));
}

bool rtu_crc_ok(std::span<const std::byte> frame) {
    if (frame.size() < 4) return false;
    const std::uint16_t crc = rtu_crc16(frame.first(frame.size() - 2));
    return frame[frame.size() - 2] == static_cast<std::byte>(crc & 0xFF) &&
           frame[frame.size() - 1] == static_cast<std::byte>(crc >> 8);
}

}  // namespace gridgate::sim
