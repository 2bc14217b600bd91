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
