// Client side of the PDU codec: read requests out, read responses in.
#include "gridgate/modbus/pdu.hpp"

#include "wire.hpp"

namespace gridgate::modbus {

namespace {

constexpr std::uint8_t exception_flag = 0x80;

std::size_t expected_byte_count(const ReadRequest& req) {
    return is_bit_read(req.function) ? wire::packed_bytes(req.count) : std::size_t{req.count} * 2;
}

ReadResponse unpack_registers(std::span<const std::byte> data, std::size_t count) {
    ReadResponse out;
    out.registers.reserve(count);
    for (std::size_t i = 0; i < count; ++i) out.registers.push_back(wire::u16(data, 2 * i));
    return out;
}

ReadResponse unpack_bits(std::span<const std::byte> data, std::size_t count) {
    ReadResponse out;
    out.bits.reserve(count);
    // Bit 0 of the first data byte is the first requested coil/input.
    for (std::size_t i = 0; i < count; ++i) out.bits.push_back(((wire::u8(data, i / 8) >> (i % 8)) & 1) != 0);
    return out;
}

}  // namespace

bool is_bit_read(FunctionCode fc) {
    return fc == FunctionCode::read_coils || fc == FunctionCode::read_discrete_inputs;
}

bool is_register_read(FunctionCode fc) {
    return fc == FunctionCode::read_holding_registers || fc == FunctionCode::read_input_registers;
}

const char* to_string(ExceptionCode c) {
    switch (c) {
        case ExceptionCode::illegal_function: return "illegal function";
        case ExceptionCode::illegal_data_address: return "illegal data address";
        case ExceptionCode::illegal_data_value: return "illegal data value";
        case ExceptionCode::server_device_failure: return "server device failure";
        case ExceptionCode::acknowledge: return "acknowledge";
        case ExceptionCode::server_device_busy: return "server device busy";
        case ExceptionCode::gateway_path_unavailable: return "gateway path unavailable";
        case ExceptionCode::gateway_target_failed: return "gateway target device failed to respond";
    }
    return "unknown exception";
}

const char* to_string(DecodeError e) {
    switch (e) {
        case DecodeError::need_more: return "need more bytes";
        case DecodeError::bad_function: return "unexpected function code";
        case DecodeError::bad_length: return "byte count mismatch";
        case DecodeError::bad_quantity: return "quantity out of range";
        case DecodeError::trailing_bytes: return "trailing bytes";
    }
    return "?";
}

std::vector<std::byte> encode_read_request(const ReadRequest& req) {
    std::vector<std::byte> out;
    out.reserve(5);
    wire::put_u8(out, static_cast<std::uint8_t>(req.function));
    wire::put_u16(out, req.address);
    wire::put_u16(out, req.count);
    return out;
}

ResponseResult decode_read_response(const ReadRequest& req, std::span<const std::byte> pdu) {
    if (pdu.empty()) return DecodeError::need_more;
    const auto requested = static_cast<std::uint8_t>(req.function);
    const std::uint8_t fc = wire::u8(pdu, 0);

    if (fc == (requested | exception_flag)) {
        if (pdu.size() < 2) return DecodeError::need_more;
        if (pdu.size() > 2) return DecodeError::trailing_bytes;
        return ExceptionResponse{req.function, static_cast<ExceptionCode>(wire::u8(pdu, 1))};
    }
    if (fc != requested || !(is_bit_read(req.function) || is_register_read(req.function)))
        return DecodeError::bad_function;
    if (pdu.size() < 2) return DecodeError::need_more;

    const std::size_t byte_count = wire::u8(pdu, 1);
    if (byte_count != expected_byte_count(req)) return DecodeError::bad_length;
    if (pdu.size() < 2 + byte_count) return DecodeError::need_more;
    if (pdu.size() > 2 + byte_count) return DecodeError::trailing_bytes;

    const auto data = pdu.subspan(2, byte_count);
    return is_bit_read(req.function) ? unpack_bits(data, req.count) : unpack_registers(data, req.count);
}

std::size_t expected_response_pdu_length(const ReadRequest& req, std::span<const std::byte> pdu_prefix) {
    (void)req;
    if (pdu_prefix.size() < 2) return 0;
    const std::uint8_t fc = wire::u8(pdu_prefix, 0);
    if (fc & exception_flag) return 2;
    // Every read response (FC01..04) carries its own byte count; trust it to delimit the
    // frame, and let decode_read_response judge whether it fits the request.
    if (fc >= 0x01 && fc <= 0x04) return 2 + std::size_t{wire::u8(pdu_prefix, 1)};
    return 2;  // unknown function: the shortest frame, so the decoder reports it at once
}

}  // namespace gridgate::modbus
