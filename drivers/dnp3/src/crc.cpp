// The DNP3 data link CRC (IEEE 1815 §9.2.4.1.3): CRC-16 with generator 0x3D65, processed
// least significant bit first (hence the reflected constant 0xA6BC), initial value 0,
// and the one's complement of the remainder sent low octet first.
#include <array>

#include "gridgate/dnp3/link.hpp"

namespace gridgate::dnp3 {

namespace {

constexpr std::uint16_t reflected_poly = 0xA6BC;

// One entry per octet value: the remainder after shifting that octet through the
// register. A table keeps the per-octet cost to one lookup; links run at line speed, but
// the fuzzer and the simulator push far more frames through than a meter ever sees.
constexpr std::array<std::uint16_t, 256> make_table() {
    std::array<std::uint16_t, 256> table{};
    for (unsigned i = 0; i < 256; ++i) {
        std::uint16_t crc = static_cast<std::uint16_t>(i);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 1u) ? static_cast<std::uint16_t>((crc >> 1) ^ reflected_poly)
                             : static_cast<std::uint16_t>(crc >> 1);
        table[i] = crc;
    }
    return table;
}

constexpr auto crc_table = make_table();

}  // namespace

std::uint16_t crc16(std::span<const std::uint8_t> data) {
    std::uint16_t crc = 0;
    for (const std::uint8_t b : data) crc = static_cast<std::uint16_t>((crc >> 8) ^ crc_table[(crc ^ b) & 0xFFu]);
    return static_cast<std::uint16_t>(~crc);
}

}  // namespace gridgate::dnp3
