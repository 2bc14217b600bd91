// What an RTU slave puts on the line, fault by fault, byte for byte. Expected CRCs were
// computed independently (a few lines of Python), not with the code under test.
#include <catch2/catch.hpp>

#include "gridgate/sim/rtu_crc.hpp"
#include "gridgate/sim/rtu_reply.hpp"
#include "sim_test_helpers.hpp"

using namespace gridgate::sim;
using sim_test::hex;
using sim_test::pdu;
using sim_test::t0;

namespace {
Reply pdu_reply(const std::string& bytes, Reply::Framing framing = Reply::Framing::normal) {
    Reply r;
    r.kind = Reply::Kind::pdu;
    r.bytes = hex(bytes);
    r.framing = framing;
    return r;
}

SimulatedMeter make_meter(std::uint8_t address) {
    return SimulatedMeter("jem" + std::to_string(address), address, MeterModel(MapLayout{}, 1, t0), HandlerOptions{},
                          7);
}
}  // namespace

TEST_CASE("rtu reply: address, PDU and CRC low byte first", "[sim][rtu][reply]") {
    CHECK(hex(encode_rtu_reply(1, pdu_reply("03 04 00 01 00 02"))) == "01 03 04 00 01 00 02 2a 32");
    CHECK(hex(encode_rtu_reply(5, pdu_reply("83 02"))) == "05 83 02 81 30");
    CHECK(encode_rtu_reply(1, Reply{}).empty());
}

TEST_CASE("rtu reply: fault crc inverts both CRC bytes", "[sim][rtu][reply][fault]") {
    const auto bytes = encode_rtu_reply(1, pdu_reply("03 04 00 01 00 02", Reply::Framing::bad_crc));
    CHECK(hex(bytes) == "01 03 04 00 01 00 02 d5 cd");
    CHECK_FALSE(rtu_crc_ok(bytes));
}

TEST_CASE("rtu reply: fault wrong-address answers as the next slave up, with a good CRC", "[sim][rtu][reply][fault]") {
    const auto bytes = encode_rtu_reply(1, pdu_reply("03 04 00 01 00 02", Reply::Framing::wrong_address));
    CHECK(hex(bytes) == "02 03 04 00 01 00 02 19 32");
    CHECK(rtu_crc_ok(bytes));
    CHECK(wrong_address_for(1) == 2);
    CHECK(wrong_address_for(246) == 247);
    CHECK(wrong_address_for(247) == 1);
    CHECK(wrong_address_for(255) == 1);
    CHECK(wrong_address_for(0) == 1);
}

TEST_CASE("rtu reply: faults through a meter", "[sim][rtu][reply][fault]") {
    SimulatedMeter meter = make_meter(3);
    SimulatedMeter twin = make_meter(3);  // same seed: the same values, no fault
    const auto normal = encode_rtu_reply(3, twin.on_request(3, pdu(0x03, 0, 2), t0));
    REQUIRE(normal.size() == 9);
    REQUIRE(rtu_crc_ok(normal));

    SECTION("crc: same frame, CRC inverted, nothing served") {
        meter.set_fault({FaultKind::crc});
        const Reply r = meter.on_request(3, pdu(0x03, 0, 2), t0);
        CHECK_FALSE(r.served);
        auto expected = normal;
        expected[7] ^= std::byte{0xFF};
        expected[8] ^= std::byte{0xFF};
        CHECK(hex(encode_rtu_reply(3, r)) == hex(expected));
    }
    SECTION("wrong-address: slave 4's address on slave 3's data, nothing served") {
        meter.set_fault({FaultKind::wrong_address});
        const Reply r = meter.on_request(3, pdu(0x03, 0, 2), t0);
        CHECK_FALSE(r.served);
        const auto bytes = encode_rtu_reply(3, r);
        CHECK(bytes[0] == std::byte{4});
        CHECK(std::equal(bytes.begin() + 1, bytes.end() - 2, normal.begin() + 1));
        CHECK(rtu_crc_ok(bytes));
    }
    SECTION("noise: random bytes first, then the normal reply, which is served") {
        meter.set_fault({FaultKind::noise});
        const Reply r = meter.on_request(3, pdu(0x03, 0, 2), t0);
        CHECK(r.served);
        CHECK(r.framing == Reply::Framing::noise_before);
        CHECK(r.noise.size() >= 8);
        CHECK_FALSE(rtu_crc_ok(r.noise));
        CHECK(hex(encode_rtu_reply(3, r)) == hex(normal));
    }
    SECTION("garbage: random bytes instead of the reply, never a valid frame") {
        meter.set_fault({FaultKind::garbage});
        for (int i = 0; i < 200; ++i) {
            const Reply r = meter.on_request(3, pdu(0x03, 0, 2), t0);
            REQUIRE(r.kind == Reply::Kind::raw);
            const auto bytes = encode_rtu_reply(3, r);
            CHECK(bytes == r.bytes);
            CHECK_FALSE(rtu_crc_ok(bytes));
        }
    }
    SECTION("exception: the exception PDU in a normal frame") {
        meter.set_fault({FaultKind::exception, {}, 4});
        CHECK(hex(encode_rtu_reply(3, meter.on_request(3, pdu(0x03, 0, 2), t0))) == "03 83 04 e1 33");
    }
}
