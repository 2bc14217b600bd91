#pragma once
// Modbus PDU codec (application layer, shared by RTU and TCP). Pure: no I/O, no clock,
// no globals. Decoders check every field against the buffer they are given and report
// complete / need-more / a typed error; they never throw on wire data.
//
// Only the read functions the gateway polls with are modelled on the client side
// (FC01-04); the server side used by metersim also answers FC05/15/16 requests with
// the meter's exception rules.
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

namespace gridgate::modbus {

enum class FunctionCode : std::uint8_t {
    read_coils = 0x01,
    read_discrete_inputs = 0x02,
    read_holding_registers = 0x03,
    read_input_registers = 0x04,
    write_single_coil = 0x05,
    write_multiple_coils = 0x0F,
    write_multiple_registers = 0x10,
};

enum class ExceptionCode : std::uint8_t {
    illegal_function = 0x01,
    illegal_data_address = 0x02,
    illegal_data_value = 0x03,
    server_device_failure = 0x04,
    acknowledge = 0x05,
    server_device_busy = 0x06,
    gateway_path_unavailable = 0x0A,
    gateway_target_failed = 0x0B,
};
// "illegal data address" etc.; "unknown exception" for codes the spec does not define.
const char* to_string(ExceptionCode c);

// Protocol limits from the Modbus application protocol specification v1.1b3.
inline constexpr std::uint16_t max_read_registers = 125;
inline constexpr std::uint16_t max_read_bits = 2000;
inline constexpr std::size_t max_pdu_size = 253;

// A read request: FC01..04, start address (PDU address, 0-based) and quantity.
struct ReadRequest {
    FunctionCode function = FunctionCode::read_holding_registers;
    std::uint16_t address = 0;
    std::uint16_t count = 0;
    friend bool operator==(const ReadRequest&, const ReadRequest&) = default;
};

bool is_bit_read(FunctionCode fc);       // FC01, FC02
bool is_register_read(FunctionCode fc);  // FC03, FC04

// Errors a decoder can report. need_more is not an error: the buffer is a prefix.
enum class DecodeError : std::uint8_t {
    need_more,             // buffer too short so far
    bad_function,          // function code not the one requested / unknown
    bad_length,            // byte count inconsistent with request or buffer
    bad_quantity,          // quantity out of the protocol's range
    trailing_bytes,        // more bytes than the PDU can hold
};
const char* to_string(DecodeError e);

// --- client side ---------------------------------------------------------------

// Encodes a read request PDU (5 bytes). Precondition: count within the FC's limit.
std::vector<std::byte> encode_read_request(const ReadRequest& req);

// A decoded read response: register values for FC03/04, bit values for FC01/02.
struct ReadResponse {
    std::vector<std::uint16_t> registers;
    std::vector<bool> bits;
};
struct ExceptionResponse {
    FunctionCode function;  // the original function code (high bit cleared)
    ExceptionCode code;
};
using ResponseResult = std::variant<ReadResponse, ExceptionResponse, DecodeError>;

// Decodes a complete response PDU to `req`. The span must be exactly one PDU (the
// framer knows its length); a short span gives need_more, a long one trailing_bytes.
ResponseResult decode_read_response(const ReadRequest& req, std::span<const std::byte> pdu);

// Length of the response PDU to `req` that starts at pdu[0], or 0 if not yet known
// (fewer than 2 bytes). Lets RTU framing know a frame is complete without waiting
// for line silence. Exception responses are 2 bytes.
std::size_t expected_response_pdu_length(const ReadRequest& req, std::span<const std::byte> pdu_prefix);

// --- server side (metersim) ------------------------------------------------------

struct WriteSingleCoil {
    std::uint16_t address;
    bool value;
};
struct WriteMultipleCoils {
    std::uint16_t address;
    std::vector<bool> values;
};
struct WriteMultipleRegisters {
    std::uint16_t address;
    std::vector<std::uint16_t> values;
};
// A request the server could not parse as one of the above, carrying the function
// code so the server can answer with an exception.
struct UnsupportedRequest {
    std::uint8_t function;
};
using Request = std::variant<ReadRequest, WriteSingleCoil, WriteMultipleCoils, WriteMultipleRegisters,
                             UnsupportedRequest>;
struct RequestError {
    std::uint8_t function;  // function code of the bad request (0 if none)
    ExceptionCode code;     // illegal_data_value for bad quantities/lengths
};
using RequestResult = std::variant<Request, RequestError>;

// Decodes one complete request PDU.
RequestResult decode_request(std::span<const std::byte> pdu);

std::vector<std::byte> encode_register_response(FunctionCode fc, std::span<const std::uint16_t> registers);
std::vector<std::byte> encode_bit_response(FunctionCode fc, const std::vector<bool>& bits);
std::vector<std::byte> encode_write_response(FunctionCode fc, std::uint16_t address, std::uint16_t count_or_value);
std::vector<std::byte> encode_exception(std::uint8_t function, ExceptionCode code);

}  // namespace gridgate::modbus
