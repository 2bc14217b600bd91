// Client-side PDU codec against the examples of the Modbus application protocol v1.1b3.
#include <catch2/catch.hpp>

#include "frames.hpp"
#include "gridgate/modbus/pdu.hpp"

using namespace gridgate::modbus;
using gridgate::modbus::test::hex;

namespace {
const ReadRequest fc01{FunctionCode::read_coils, 0x0013, 0x0013};
const ReadRequest fc02{FunctionCode::read_discrete_inputs, 0x00C4, 0x0016};
const ReadRequest fc03{FunctionCode::read_holding_registers, 0x006B, 0x0003};
const ReadRequest fc04{FunctionCode::read_input_registers, 0x0008, 0x0001};

DecodeError error_of(const ResponseResult& r) {
    REQUIRE(std::holds_alternative<DecodeError>(r));
    return std::get<DecodeError>(r);
}
}  // namespace

TEST_CASE("read requests encode as in the spec examples") {
    CHECK(encode_read_request(fc01) == hex("01 00 13 00 13"));
    CHECK(encode_read_request(fc02) == hex("02 00 C4 00 16"));
    CHECK(encode_read_request(fc03) == hex("03 00 6B 00 03"));
    CHECK(encode_read_request(fc04) == hex("04 00 08 00 01"));
}

TEST_CASE("FC03 spec response decodes to registers 108..110") {
    const auto r = decode_read_response(fc03, hex("03 06 02 2B 00 00 00 64"));
    REQUIRE(std::holds_alternative<ReadResponse>(r));
    CHECK(std::get<ReadResponse>(r).registers == std::vector<std::uint16_t>{0x022B, 0x0000, 0x0064});
    CHECK(std::get<ReadResponse>(r).bits.empty());
}

TEST_CASE("FC04 spec response decodes to register 9 = 10") {
    const auto r = decode_read_response(fc04, hex("04 02 00 0A"));
    REQUIRE(std::holds_alternative<ReadResponse>(r));
    CHECK(std::get<ReadResponse>(r).registers == std::vector<std::uint16_t>{10});
}

TEST_CASE("FC01 spec response unpacks coils 20..38 LSB first") {
    const auto r = decode_read_response(fc01, hex("01 03 CD 6B 05"));
    REQUIRE(std::holds_alternative<ReadResponse>(r));
    const auto& bits = std::get<ReadResponse>(r).bits;
    REQUIRE(bits.size() == 19);
    // CD = 1100 1101: coils 27..20; 6B = 0110 1011: coils 35..28; 05: coils 38..36.
    const std::vector<bool> expected{1, 0, 1, 1, 0, 0, 1, 1,  // 20..27
                                     1, 1, 0, 1, 0, 1, 1, 0,  // 28..35
                                     1, 0, 1};                // 36..38
    CHECK(bits == expected);
}

TEST_CASE("FC02 spec response unpacks inputs 197..218") {
    const auto r = decode_read_response(fc02, hex("02 03 AC DB 35"));
    REQUIRE(std::holds_alternative<ReadResponse>(r));
    const auto& bits = std::get<ReadResponse>(r).bits;
    REQUIRE(bits.size() == 22);
    CHECK(bits[0] == false);  // AC = 1010 1100, bit 0
    CHECK(bits[2] == true);
    CHECK(bits[7] == true);
    CHECK(bits[8] == true);   // DB = 1101 1011
    CHECK(bits[10] == false);
    CHECK(bits[16] == true);  // 35 = 0011 0101
    CHECK(bits[21] == true);
    CHECK(bits[17] == false);
}

TEST_CASE("exception responses carry the original function and the code") {
    const auto r = decode_read_response(fc03, hex("83 02"));
    REQUIRE(std::holds_alternative<ExceptionResponse>(r));
    CHECK(std::get<ExceptionResponse>(r).function == FunctionCode::read_holding_registers);
    CHECK(std::get<ExceptionResponse>(r).code == ExceptionCode::illegal_data_address);

    const auto r2 = decode_read_response(fc01, hex("81 01"));
    REQUIRE(std::holds_alternative<ExceptionResponse>(r2));
    CHECK(std::get<ExceptionResponse>(r2).code == ExceptionCode::illegal_function);
}

TEST_CASE("truncated responses need more") {
    CHECK(error_of(decode_read_response(fc03, {})) == DecodeError::need_more);
    CHECK(error_of(decode_read_response(fc03, hex("03"))) == DecodeError::need_more);
    CHECK(error_of(decode_read_response(fc03, hex("03 06 02 2B 00 00 00"))) == DecodeError::need_more);
    CHECK(error_of(decode_read_response(fc03, hex("83"))) == DecodeError::need_more);
    CHECK(error_of(decode_read_response(fc01, hex("01 03 CD"))) == DecodeError::need_more);
}

TEST_CASE("oversized responses report trailing bytes") {
    CHECK(error_of(decode_read_response(fc03, hex("03 06 02 2B 00 00 00 64 FF"))) == DecodeError::trailing_bytes);
    CHECK(error_of(decode_read_response(fc03, hex("83 02 00"))) == DecodeError::trailing_bytes);
}

TEST_CASE("corrupt responses are typed errors") {
    SECTION("byte count does not match the request") {
        CHECK(error_of(decode_read_response(fc03, hex("03 04 02 2B 00 00"))) == DecodeError::bad_length);
        CHECK(error_of(decode_read_response(fc01, hex("01 02 CD 6B"))) == DecodeError::bad_length);
    }
    SECTION("wrong function code") {
        CHECK(error_of(decode_read_response(fc03, hex("04 06 02 2B 00 00 00 64"))) == DecodeError::bad_function);
        CHECK(error_of(decode_read_response(fc03, hex("84 02"))) == DecodeError::bad_function);
        CHECK(error_of(decode_read_response(fc03, hex("00"))) == DecodeError::bad_function);
    }
}

TEST_CASE("expected response length delimits a PDU from its prefix") {
    CHECK(expected_response_pdu_length(fc03, {}) == 0);
    CHECK(expected_response_pdu_length(fc03, hex("03")) == 0);
    CHECK(expected_response_pdu_length(fc03, hex("03 06")) == 8);
    CHECK(expected_response_pdu_length(fc03, hex("83 02")) == 2);
    CHECK(expected_response_pdu_length(fc01, hex("01 03 CD")) == 5);
}

TEST_CASE("function code classes") {
    CHECK(is_bit_read(FunctionCode::read_coils));
    CHECK(is_bit_read(FunctionCode::read_discrete_inputs));
    CHECK_FALSE(is_bit_read(FunctionCode::read_holding_registers));
    CHECK(is_register_read(FunctionCode::read_input_registers));
    CHECK_FALSE(is_register_read(FunctionCode::write_multiple_registers));
    CHECK(std::string(to_string(DecodeError::bad_length)) == "byte count mismatch");
}
