// Server-side PDU codec (metersim's half): request decoding and response encoding.
#include <catch2/catch.hpp>

#include "frames.hpp"
#include "gridgate/modbus/pdu.hpp"

using namespace gridgate::modbus;
using gridgate::modbus::test::hex;

namespace {
Request request_of(const RequestResult& r) {
    REQUIRE(std::holds_alternative<Request>(r));
    return std::get<Request>(r);
}
RequestError error_of(const RequestResult& r) {
    REQUIRE(std::holds_alternative<RequestError>(r));
    return std::get<RequestError>(r);
}
}  // namespace

TEST_CASE("read requests of each FC decode") {
    CHECK(std::get<ReadRequest>(request_of(decode_request(hex("01 00 13 00 13")))) ==
          ReadRequest{FunctionCode::read_coils, 0x13, 0x13});
    CHECK(std::get<ReadRequest>(request_of(decode_request(hex("02 00 C4 00 16")))) ==
          ReadRequest{FunctionCode::read_discrete_inputs, 0xC4, 0x16});
    CHECK(std::get<ReadRequest>(request_of(decode_request(hex("03 00 6B 00 03")))) ==
          ReadRequest{FunctionCode::read_holding_registers, 0x6B, 3});
    CHECK(std::get<ReadRequest>(request_of(decode_request(hex("04 00 08 00 01")))) ==
          ReadRequest{FunctionCode::read_input_registers, 8, 1});
}

TEST_CASE("read quantities outside the spec's range are exception 03") {
    CHECK(error_of(decode_request(hex("03 00 00 00 00"))).code == ExceptionCode::illegal_data_value);
    CHECK(error_of(decode_request(hex("03 00 00 00 7E"))).code == ExceptionCode::illegal_data_value);  // 126
    CHECK(std::holds_alternative<Request>(decode_request(hex("04 00 00 00 7D"))));                   // 125
    CHECK(error_of(decode_request(hex("01 00 00 07 D1"))).code == ExceptionCode::illegal_data_value);  // 2001
    CHECK(std::holds_alternative<Request>(decode_request(hex("02 00 00 07 D0"))));                   // 2000
    CHECK(error_of(decode_request(hex("02 00 00 00 00"))).function == 0x02);
}

TEST_CASE("a range past 0xFFFF is exception 02") {
    CHECK(error_of(decode_request(hex("03 FF FF 00 02"))).code == ExceptionCode::illegal_data_address);
    CHECK(std::holds_alternative<Request>(decode_request(hex("03 FF FF 00 01"))));
}

TEST_CASE("requests of the wrong size are exception 03") {
    CHECK(error_of(decode_request(hex("03 00 6B 00"))).code == ExceptionCode::illegal_data_value);
    CHECK(error_of(decode_request(hex("03 00 6B 00 03 00"))).code == ExceptionCode::illegal_data_value);
    CHECK(error_of(decode_request({})).function == 0);
}

TEST_CASE("FC05 write single coil accepts only FF00 and 0000") {
    const auto on = std::get<WriteSingleCoil>(request_of(decode_request(hex("05 00 AC FF 00"))));
    CHECK(on.address == 0xAC);
    CHECK(on.value);
    CHECK_FALSE(std::get<WriteSingleCoil>(request_of(decode_request(hex("05 00 AC 00 00")))).value);
    CHECK(error_of(decode_request(hex("05 00 AC 00 01"))).code == ExceptionCode::illegal_data_value);
}

TEST_CASE("FC15 write multiple coils (spec example)") {
    const auto w = std::get<WriteMultipleCoils>(request_of(decode_request(hex("0F 00 13 00 0A 02 CD 01"))));
    CHECK(w.address == 0x13);
    CHECK(w.values == std::vector<bool>{1, 0, 1, 1, 0, 0, 1, 1, 1, 0});
    CHECK(error_of(decode_request(hex("0F 00 13 00 0A 01 CD"))).code == ExceptionCode::illegal_data_value);
    CHECK(error_of(decode_request(hex("0F 00 13 00 0A 02 CD"))).code == ExceptionCode::illegal_data_value);
    CHECK(error_of(decode_request(hex("0F 00 13 00 00 00"))).code == ExceptionCode::illegal_data_value);
}

TEST_CASE("FC16 write multiple registers (spec example)") {
    const auto w = std::get<WriteMultipleRegisters>(request_of(decode_request(hex("10 00 01 00 02 04 00 0A 01 02"))));
    CHECK(w.address == 1);
    CHECK(w.values == std::vector<std::uint16_t>{0x000A, 0x0102});
    CHECK(error_of(decode_request(hex("10 00 01 00 02 03 00 0A 01"))).code == ExceptionCode::illegal_data_value);
    CHECK(error_of(decode_request(hex("10 00 01 00 7C F8"))).code == ExceptionCode::illegal_data_value);  // 124 > 123
    CHECK(error_of(decode_request(hex("10 00 01"))).code == ExceptionCode::illegal_data_value);
}

TEST_CASE("unknown function codes are handed back for exception 01") {
    CHECK(std::get<UnsupportedRequest>(request_of(decode_request(hex("06 00 01 00 03")))).function == 0x06);
    CHECK(std::get<UnsupportedRequest>(request_of(decode_request(hex("2B 0E 01 00")))).function == 0x2B);
}

TEST_CASE("responses encode as in the spec examples") {
    const std::vector<std::uint16_t> regs{0x022B, 0x0000, 0x0064};
    CHECK(encode_register_response(FunctionCode::read_holding_registers, regs) == hex("03 06 02 2B 00 00 00 64"));
    const std::vector<bool> coils{1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1};
    CHECK(encode_bit_response(FunctionCode::read_coils, coils) == hex("01 03 CD 6B 05"));
    CHECK(encode_write_response(FunctionCode::write_single_coil, 0xAC, 0xFF00) == hex("05 00 AC FF 00"));
    CHECK(encode_write_response(FunctionCode::write_multiple_registers, 1, 2) == hex("10 00 01 00 02"));
    CHECK(encode_exception(0x03, ExceptionCode::illegal_data_address) == hex("83 02"));
}

TEST_CASE("server responses decode on the client side") {
    const ReadRequest req{FunctionCode::read_input_registers, 0, 2};
    const std::vector<std::uint16_t> regs{0xFFFF, 0x1234};
    const auto r = decode_read_response(req, encode_register_response(req.function, regs));
    REQUIRE(std::holds_alternative<ReadResponse>(r));
    CHECK(std::get<ReadResponse>(r).registers == regs);
}
