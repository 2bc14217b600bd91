#pragma once
// Modbus TCP framing: the 7-byte MBAP header (transaction id, protocol id 0, length,
// unit id) followed by the PDU. Pure.
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

namespace gridgate::modbus {

inline constexpr std::size_t mbap_header_size = 7;
inline constexpr std::size_t max_adu_size = 260;  // 7 + 253

struct MbapFrame {
    std::uint16_t transaction_id = 0;
    std::uint8_t unit_id = 0;
    std::span<const std::byte> pdu;  // points into the buffer given to decode
};

enum class MbapError : std::uint8_t {
    need_more,
    bad_protocol_id,  // protocol id != 0: stream is not Modbus, resynchronise by reconnecting
    bad_length,       // length field < 2 or > 254
};
const char* to_string(MbapError e);

struct MbapDecoded {
    MbapFrame frame;
    std::size_t consumed = 0;  // bytes of the buffer this frame used
};
using MbapResult = std::variant<MbapDecoded, MbapError>;

// Decodes the first frame at the start of `buffer`.
MbapResult decode_mbap(std::span<const std::byte> buffer);

std::vector<std::byte> encode_mbap(std::uint16_t transaction_id, std::uint8_t unit_id,
                                   std::span<const std::byte> pdu);

}  // namespace gridgate::modbus
