// Modbus TCP MBAP framing (Modbus Messaging on TCP/IP v1.0b, section 3.1.3).
#include "gridgate/modbus/mbap.hpp"

#include "gridgate/modbus/pdu.hpp"
#include "wire.hpp"

namespace gridgate::modbus {

namespace {
// The length field counts the unit id plus the PDU: at least unit id + function code.
constexpr std::size_t min_length_field = 2;
constexpr std::size_t max_length_field = 1 + max_pdu_size;
}  // namespace

const char* to_string(MbapError e) {
    switch (e) {
        case MbapError::need_more: return "need more bytes";
        case MbapError::bad_protocol_id: return "bad protocol id";
        case MbapError::bad_length: return "bad length field";
    }
    return "?";
}

MbapResult decode_mbap(std::span<const std::byte> buffer) {
    // Judge each header field as soon as it has arrived, so garbage is detected
    // without waiting for bytes that may never come.
    if (buffer.size() >= 4 && wire::u16(buffer, 2) != 0) return MbapError::bad_protocol_id;
    if (buffer.size() < 6) return MbapError::need_more;
    const std::size_t length = wire::u16(buffer, 4);
    if (length < min_length_field || length > max_length_field) return MbapError::bad_length;
    const std::size_t total = 6 + length;
    if (buffer.size() < total) return MbapError::need_more;

    MbapDecoded out;
    out.frame.transaction_id = wire::u16(buffer, 0);
    out.frame.unit_id = wire::u8(buffer, 6);
    out.frame.pdu = buffer.subspan(mbap_header_size, total - mbap_header_size);
    out.consumed = total;
    return out;
}

std::vector<std::byte> encode_mbap(std::uint16_t transaction_id, std::uint8_t unit_id, std::span<const std::byte> pdu) {
    std::vector<std::byte> out;
    out.reserve(mbap_header_size + pdu.size());
    wire::put_u16(out, transaction_id);
    wire::put_u16(out, 0);  // protocol id: Modbus
    wire::put_u16(out, static_cast<std::uint16_t>(pdu.size() + 1));
    wire::put_u8(out, unit_id);
    out.insert(out.end(), pdu.begin(), pdu.end());
    return out;
}

}  // namespace gridgate::modbus
