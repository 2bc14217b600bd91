#include <catch2/catch.hpp>

#include "gridgate/sim/simulated_meter.hpp"
#include "sim_test_helpers.hpp"

using namespace gridgate::sim;
using sim_test::hex;
using sim_test::pdu;
using sim_test::t0;

namespace {
SimulatedMeter make_meter(std::uint8_t address) {
    return SimulatedMeter("jem1", address, MeterModel(MapLayout{}, 1, t0), HandlerOptions{}, 99);
}
}  // namespace

TEST_CASE("a meter answers its device address and 0 and 255 and nothing else", "[sim][unit-id]") {
    SimulatedMeter meter = make_meter(5);
    for (const std::uint8_t unit : {5, 0, 255}) {
        const Reply r = meter.on_request(unit, pdu(0x03, 0, 2), t0);
        CHECK(r.kind == Reply::Kind::pdu);
        CHECK(hex(r.bytes).starts_with("03 04"));
    }
    for (const std::uint8_t unit : {1, 4, 6, 247}) CHECK(meter.on_request(unit, pdu(0x03, 0, 2), t0).kind == Reply::Kind::none);
    CHECK(meter.stats().requests == 7);
    CHECK(meter.stats().answered == 3);
    CHECK(meter.stats().ignored_unit == 4);
}

TEST_CASE("fault off swallows requests", "[sim][fault]") {
    SimulatedMeter meter = make_meter(1);
    meter.set_fault({FaultKind::off});
    CHECK(meter.on_request(1, pdu(0x03, 0, 2), t0).kind == Reply::Kind::none);
    CHECK(meter.stats().unanswered == 1);
    CHECK(meter.stats().answered == 0);
}

TEST_CASE("fault exception answers every request with its code", "[sim][fault]") {
    SimulatedMeter meter = make_meter(1);
    meter.set_fault({FaultKind::exception, {}, 4});
    Reply r = meter.on_request(1, pdu(0x03, 0, 2), t0);
    CHECK(r.kind == Reply::Kind::pdu);
    CHECK(hex(r.bytes) == "83 04");
    CHECK_FALSE(r.served);
    r = meter.on_request(1, pdu(0x04, 0, 2), t0);
    CHECK(hex(r.bytes) == "84 04");
    CHECK(meter.stats().exceptions == 2);
    // Unit filtering still comes first.
    CHECK(meter.on_request(9, pdu(0x04, 0, 2), t0).kind == Reply::Kind::none);
}

TEST_CASE("fault garbage answers with bytes that are not Modbus TCP", "[sim][fault]") {
    SimulatedMeter meter = make_meter(1);
    meter.set_fault({FaultKind::garbage});
    for (int i = 0; i < 50; ++i) {
        const Reply r = meter.on_request(1, pdu(0x03, 0, 2), t0);
        REQUIRE(r.kind == Reply::Kind::raw);
        REQUIRE(r.bytes.size() >= 8);
        CHECK(r.bytes[2] != std::byte{0});  // protocol id is never 0
        CHECK_FALSE(r.served);
    }
    CHECK(meter.stats().garbage == 50);
}

TEST_CASE("fault slow answers normally after the delay", "[sim][fault]") {
    SimulatedMeter meter = make_meter(1);
    meter.set_fault({FaultKind::slow, std::chrono::milliseconds(1500)});
    const Reply r = meter.on_request(1, pdu(0x03, 0, 2), t0);
    CHECK(r.kind == Reply::Kind::pdu);
    CHECK(r.delay == std::chrono::milliseconds(1500));
    CHECK(r.served);
    meter.set_fault({});
    CHECK(meter.on_request(1, pdu(0x03, 0, 2), t0).delay == gridgate::Duration::zero());
}

TEST_CASE("framing faults answer normally and leave the framing to the transport", "[sim][fault][rtu]") {
    SimulatedMeter meter = make_meter(1);
    meter.set_fault({FaultKind::crc});
    Reply r = meter.on_request(1, pdu(0x03, 0, 2), t0);
    CHECK(r.kind == Reply::Kind::pdu);
    CHECK(hex(r.bytes).starts_with("03 04"));
    CHECK(r.framing == Reply::Framing::bad_crc);
    CHECK_FALSE(r.served);
    meter.set_fault({FaultKind::wrong_address});
    r = meter.on_request(1, pdu(0x03, 0, 2), t0);
    CHECK(r.framing == Reply::Framing::wrong_address);
    CHECK_FALSE(r.served);
    meter.set_fault({FaultKind::noise});
    r = meter.on_request(1, pdu(0x03, 0, 2), t0);
    CHECK(r.framing == Reply::Framing::noise_before);
    CHECK(r.served);
    CHECK(meter.stats().answered == 3);
    // The transport counts what it actually sent.
    CHECK(meter.stats().bad_crc == 0);
}

TEST_CASE("a broadcast is executed and never answered", "[sim][rtu]") {
    SimulatedMeter meter("jem1", 1, MeterModel(MapLayout{}, 1, t0), HandlerOptions{true, false}, 99);
    meter.on_broadcast(pdu(0x05, 3, 0xFF00), t0);
    std::vector<bool> coils;
    meter.model().read_coils(3, 1, coils);
    CHECK(coils == std::vector<bool>{true});
    CHECK(meter.stats().broadcasts == 1);
    CHECK(meter.stats().answered == 0);
    meter.set_fault({FaultKind::off});  // a dead meter hears nothing
    meter.on_broadcast(pdu(0x05, 3, 0x0000), t0);
    meter.model().read_coils(3, 1, coils);
    CHECK(coils == std::vector<bool>{true});
    CHECK(meter.stats().broadcasts == 1);
}

TEST_CASE("fault specifications parse and print", "[sim][fault]") {
    Fault f;
    std::string error;
    REQUIRE(parse_fault("slow 2s", f, error));
    CHECK(f == Fault{FaultKind::slow, std::chrono::seconds(2), 0});
    REQUIRE(parse_fault("slow:250ms", f, error));
    CHECK(f.delay == std::chrono::milliseconds(250));
    CHECK(to_string(f) == "slow 250ms");
    REQUIRE(parse_fault("exception 0x0B", f, error));
    CHECK(f == Fault{FaultKind::exception, {}, 11});
    CHECK(to_string(f) == "exception 11");
    REQUIRE(parse_fault("garbage", f, error));
    CHECK(f.kind == FaultKind::garbage);
    REQUIRE(parse_fault(" none ", f, error));
    CHECK(f.kind == FaultKind::none);

    REQUIRE(parse_fault("late:3s", f, error));
    CHECK(f == Fault{FaultKind::slow, std::chrono::seconds(3), 0});
    for (const char* text : {"crc", "wrong-address", "noise"}) {
        REQUIRE(parse_fault(text, f, error));
        CHECK(to_string(f) == text);
    }
    CHECK_FALSE(parse_fault("crc 2", f, error));

    CHECK_FALSE(parse_fault("slow", f, error));
    CHECK(error == "slow needs a duration such as 500ms or 2s");
    CHECK_FALSE(parse_fault("exception 0", f, error));
    CHECK_FALSE(parse_fault("exception 256", f, error));
    CHECK_FALSE(parse_fault("off 3", f, error));
    CHECK_FALSE(parse_fault("melt", f, error));
    CHECK(error.starts_with("unknown fault 'melt'"));

    std::string meter;
    REQUIRE(parse_fault_assignment("jem2=off", meter, f, error));
    CHECK(meter == "jem2");
    CHECK(f.kind == FaultKind::off);
    REQUIRE(parse_fault_assignment("jem3=exception:4", meter, f, error));
    CHECK(f == Fault{FaultKind::exception, {}, 4});
    CHECK_FALSE(parse_fault_assignment("off", meter, f, error));
}
