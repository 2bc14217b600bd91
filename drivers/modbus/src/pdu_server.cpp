// Server side of the PDU codec (used by metersim): requests in, responses out.
// Quantity and length checks follow the Modbus application protocol v1.1b3 state
// diagrams: a bad quantity or byte count is exception 03, an address range that runs
// past 0xFFFF is exception 02.
#include "gridgate/modbus/pdu.hpp"

#include <optional>

#include "wire.hpp"

namespace gridgate::modbus {

namespace {

constexpr std::uint16_t max_write_coils = 0x07B0;      // 1968
constexpr std::uint16_t max_write_registers = 0x007B;  // 123
constexpr std::uint16_t coil_on = 0xFF00;
constexpr std::uint16_t coil_off = 0x0000;

RequestError bad_value(std::uint8_t fc) { return {fc, ExceptionCode::illegal_data_value}; }
RequestError bad_address(std::uint8_t fc) { return {fc, ExceptionCode::illegal_data_address}; }

bool range_fits(std::uint16_t address, std::uint16_t count) { return std::uint32_t{address} + count <= 0x10000; }

RequestResult decode_read(std::uint8_t fc, std::span<const std::byte> pdu, std::uint16_t max_count) {
    if (pdu.size() != 5) return bad_value(fc);
    const ReadRequest req{static_cast<FunctionCode>(fc), wire::u16(pdu, 1), wire::u16(pdu, 3)};
    if (req.count < 1 || req.count > max_count) return bad_value(fc);
    if (!range_fits(req.address, req.count)) return bad_address(fc);
    // Built in place: GCC 12 with sanitizers reports a false -Wmaybe-uninitialized for
    // the move out of a temporary variant holding a std::vector<bool> alternative.
    return RequestResult{std::in_place_type<Request>, std::in_place_type<ReadRequest>, req};
}

RequestResult decode_write_single_coil(std::uint8_t fc, std::span<const std::byte> pdu) {
    if (pdu.size() != 5) return bad_value(fc);
    const std::uint16_t value = wire::u16(pdu, 3);
    if (value != coil_on && value != coil_off) return bad_value(fc);
    return Request{WriteSingleCoil{wire::u16(pdu, 1), value == coil_on}};
}

// FC15 and FC16 share a layout: address, quantity, byte count, data.
struct MultipleWriteHeader {
    std::uint16_t address;
    std::uint16_t count;
    std::span<const std::byte> data;
};

std::optional<MultipleWriteHeader> split_multiple_write(std::span<const std::byte> pdu, std::uint16_t max_count,
                                                        bool bits) {
    if (pdu.size() < 6) return std::nullopt;
    const std::uint16_t count = wire::u16(pdu, 3);
    const std::size_t byte_count = wire::u8(pdu, 5);
    if (count < 1 || count > max_count) return std::nullopt;
    const std::size_t expected = bits ? wire::packed_bytes(count) : std::size_t{count} * 2;
    if (byte_count != expected || pdu.size() != 6 + byte_count) return std::nullopt;
    return MultipleWriteHeader{wire::u16(pdu, 1), count, pdu.subspan(6)};
}

RequestResult decode_write_multiple_coils(std::uint8_t fc, std::span<const std::byte> pdu) {
    const auto header = split_multiple_write(pdu, max_write_coils, true);
    if (!header) return bad_value(fc);
    if (!range_fits(header->address, header->count)) return bad_address(fc);
    WriteMultipleCoils out{header->address, {}};
    out.values.reserve(header->count);
    for (std::size_t i = 0; i < header->count; ++i)
        out.values.push_back(((wire::u8(header->data, i / 8) >> (i % 8)) & 1) != 0);
    return Request{std::move(out)};
}

RequestResult decode_write_multiple_registers(std::uint8_t fc, std::span<const std::byte> pdu) {
    const auto header = split_multiple_write(pdu, max_write_registers, false);
    if (!header) return bad_value(fc);
    if (!range_fits(header->address, header->count)) return bad_address(fc);
    WriteMultipleRegisters out{header->address, {}};
    out.values.reserve(header->count);
    for (std::size_t i = 0; i < header->count; ++i) out.values.push_back(wire::u16(header->data, 2 * i));
    return Request{std::move(out)};
}

}  // namespace

RequestResult decode_request(std::span<const std::byte> pdu) {
    if (pdu.empty()) return bad_value(0);
    const std::uint8_t fc = wire::u8(pdu, 0);
    switch (fc) {
        case 0x01:
        case 0x02: return decode_read(fc, pdu, max_read_bits);
        case 0x03:
        case 0x04: return decode_read(fc, pdu, max_read_registers);
        case 0x05: return decode_write_single_coil(fc, pdu);
        case 0x0F: return decode_write_multiple_coils(fc, pdu);
        case 0x10: return decode_write_multiple_registers(fc, pdu);
        default: return Request{UnsupportedRequest{fc}};
    }
}

std::vector<std::byte> encode_register_response(FunctionCode fc, std::span<const std::uint16_t> registers) {
    std::vector<std::byte> out;
    out.reserve(2 + registers.size() * 2);
    wire::put_u8(out, static_cast<std::uint8_t>(fc));
    wire::put_u8(out, static_cast<std::uint8_t>(registers.size() * 2));
    for (const std::uint16_t r : registers) wire::put_u16(out, r);
    return out;
}

std::vector<std::byte> encode_bit_response(FunctionCode fc, const std::vector<bool>& bits) {
    const std::size_t byte_count = wire::packed_bytes(bits.size());
    std::vector<std::byte> out(2 + byte_count, std::byte{0});
    out[0] = static_cast<std::byte>(fc);
    out[1] = static_cast<std::byte>(byte_count);
    for (std::size_t i = 0; i < bits.size(); ++i)
        if (bits[i]) out[2 + i / 8] |= static_cast<std::byte>(1u << (i % 8));
    return out;
}

std::vector<std::byte> encode_write_response(FunctionCode fc, std::uint16_t address, std::uint16_t count_or_value) {
    std::vector<std::byte> out;
    out.reserve(5);
    wire::put_u8(out, static_cast<std::uint8_t>(fc));
    wire::put_u16(out, address);
    wire::put_u16(out, count_or_value);
    return out;
}

std::vector<std::byte> encode_exception(std::uint8_t function, ExceptionCode code) {
    std::vector<std::byte> out;
    wire::put_u8(out, static_cast<std::uint8_t>(function | 0x80));
    wire::put_u8(out, static_cast<std::uint8_t>(code));
    return out;
}

}  // namespace gridgate::modbus
