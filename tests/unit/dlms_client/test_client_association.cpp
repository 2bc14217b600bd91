// Association and the GET services against the fake meter: AARE rejection, block transfer,
// GET with list, register scaling and units, access errors, identity checks, traces.
#include <catch2/catch.hpp>

#include "client_harness.hpp"

using namespace gridgate;
using namespace gridgate::dlms;
using namespace gridgate::dlms::testing;

namespace {

const Obis serial_obis{{0, 0, 96, 11, 0, 255}};
const Obis meter_id_obis{{0, 0, 96, 11, 1, 255}};

Obis register_obis(int i) {
    return Obis{{1, 0, static_cast<std::uint8_t>(21 + i), 7, 0, 255}};
}

bool near(double a, double b) { return std::abs(a - b) < 1e-9 * std::max(1.0, std::abs(b)); }

}  // namespace

TEST_CASE("AARE rejection (wrong password): an event, a backoff, no communication loss", "[dlms][client][aarq]") {
    Harness h;
    auto o = h.fast_options();
    o.client_sap = 1;
    o.password = "wrong";
    o.identity = {IdentityOptions{"serial_number", serial_obis, 1, ""}};
    h.start(o);
    REQUIRE(h.run_until([&] { return h.count_events("dlms_association_failed") == 1; }));
    const auto* e = h.last_event("dlms_association_failed");
    REQUIRE(e->detail_json.find("\"client\":1") != std::string::npos);
    REQUIRE(e->detail_json.find("\"diagnostic\":13") != std::string::npos);
    REQUIRE(e->detail_json.find("wrong password") != std::string::npos);
    REQUIRE(e->detail_json.find("wrong\"") == std::string::npos);  // the password itself is nowhere
    const auto first = SteadyClock::now();
    REQUIRE(h.run_until([&] { return h.meter.count("AARQ") == 2; }));
    REQUIRE(SteadyClock::now() - first >= 30ms);
    REQUIRE(h.stats().association_failures >= 1);
    REQUIRE(h.stats().associations == 0);
    REQUIRE(h.count_events("dlms_comm_lost") == 0);
    REQUIRE(h.meter.count("GET") == 0);
    // The HDLC connection stays: no SNRM for the second AARQ.
    REQUIRE(h.meter.count("SNRM") == 1);
}

TEST_CASE("association: negotiated PDU and conformance in stats and the event", "[dlms][client][aarq]") {
    Harness h;
    h.meter.conformance = conformance::get | conformance::selective_access | conformance::block_transfer_with_get;
    h.meter.max_pdu = 256;
    auto o = h.fast_options();
    o.identity = {IdentityOptions{"serial_number", serial_obis, 1, ""}};
    h.meter.set_object(1, serial_obis, 2, Data::visible_string("S"));
    h.start(o);
    REQUIRE(h.run_until([&] { return h.count_events("dlms_associated") == 1; }));
    REQUIRE(h.run_until([&] { return !h.stats().identity.empty(); }));
    const auto s = h.stats();
    REQUIRE(s.negotiated_pdu == 256);
    REQUIRE(s.negotiated_conformance == h.meter.conformance);
    REQUIRE(s.associations == 1);
    REQUIRE(h.last_event("dlms_associated")->detail_json.find("\"max_pdu\":256") != std::string::npos);
}

TEST_CASE("block transfer: a long answer comes in blocks, each GET-Next its own exchange", "[dlms][client][get]") {
    Harness h;
    h.meter.max_pdu = 64;
    const std::string text(500, 'q');
    h.meter.set_object(1, serial_obis, 2, Data::visible_string(text));
    auto o = h.fast_options();
    o.identity = {IdentityOptions{"serial_number", serial_obis, 1, ""}};
    h.start(o);
    REQUIRE(h.run_until([&] { return h.stats().identity.count("serial_number") == 1; }));
    REQUIRE(h.stats().identity.at("serial_number") == text);
    REQUIRE(h.meter.count("GET-NEXT") >= 8);
    REQUIRE(h.stats().blocks == h.meter.count("GET-NEXT") + 1);
    // SNRM, AARQ, GET and every GET-Next each held the line on its own.
    REQUIRE(h.line.grants == 3 + h.meter.count("GET-NEXT"));
}

TEST_CASE("registers: GET with list in chunks of 10, scaler_unit once per association", "[dlms][client][get]") {
    Harness h;
    auto o = h.fast_options();
    o.register_period = 40ms;
    for (int i = 0; i < 12; ++i) {
        h.meter.set_register(register_obis(i), Data::double_long_unsigned(static_cast<std::uint32_t>(1000 * i)), -3,
                             27);
        o.registers.push_back(RegisterOptions{"p" + std::to_string(i), register_obis(i), 3, std::nullopt, ""});
    }
    h.start(o);
    REQUIRE(h.run_until([&] { return h.batches.size() >= 2; }));
    REQUIRE(h.meter.count("GET-LIST 10") == 3);  // scalers (10), values (10), then values again (10)
    REQUIRE(h.meter.count("GET-LIST 2") == 3);
    REQUIRE(h.meter.count("GET-LIST 10 3/1.0.21.7.0.255/3") == 1);  // scaler_unit: once
    REQUIRE(h.meter.count("GET ") == 0);
    const auto& first = h.batches.at(0);
    REQUIRE(first.task == "registers");
    REQUIRE(!first.durable);
    REQUIRE(first.readings.size() == 12);
    for (int i = 0; i < 12; ++i) {
        const Reading& r = first.readings[static_cast<std::size_t>(i)];
        REQUIRE(r.point == "p" + std::to_string(i));
        REQUIRE(near(r.value, i));
        REQUIRE(r.unit == "W");
        REQUIRE(r.source == Source::dlms);
        REQUIRE(r.meter == "m1");
        REQUIRE(r.ts_us == h.clock.now_utc_us());
    }
}

TEST_CASE("registers: one GET each without multiple references", "[dlms][client][get]") {
    Harness h;
    h.meter.conformance &= ~conformance::multiple_references;
    auto o = h.fast_options();
    o.register_period = 10s;
    for (int i = 0; i < 3; ++i) {
        h.meter.set_register(register_obis(i), Data::long_unsigned(7), 0, 35);
        o.registers.push_back(RegisterOptions{"v" + std::to_string(i), register_obis(i), 3, std::nullopt, ""});
    }
    h.start(o);
    REQUIRE(h.run_until([&] { return h.batches.size() == 1; }));
    REQUIRE(h.meter.count("GET-LIST") == 0);
    REQUIRE(h.meter.count("GET 3/") == 6);
    REQUIRE(h.batches[0].readings.at(2).unit == "V");
}

TEST_CASE("registers: scale and unit overrides, class 1 data, unknown units, access errors", "[dlms][client][get]") {
    Harness h;
    auto o = h.fast_options();
    o.register_period = 40ms;
    h.meter.set_register(register_obis(0), Data::double_long_unsigned(12345), -3, 30);
    h.meter.set_register(register_obis(1), Data::double_long_unsigned(12345), -3, 30);
    h.meter.set_register(register_obis(2), Data::long16(-50), 1, 200);
    h.meter.set_object(1, register_obis(3), 2, Data::double_long_unsigned(400));
    h.meter.set_register(register_obis(4), Data::double_long_unsigned(1), 0, 27);
    h.meter.deny(3, register_obis(4), 2, AccessResult::read_write_denied);
    o.registers = {
        RegisterOptions{"energy", register_obis(0), 3, std::nullopt, ""},
        RegisterOptions{"energy_k", register_obis(1), 3, 1e-6, "kWh"},  // scale replaces 10^scaler: no attribute 3
        RegisterOptions{"odd", register_obis(2), 3, std::nullopt, ""},
        RegisterOptions{"ct_ratio", register_obis(3), 1, std::nullopt, ""},
        RegisterOptions{"denied", register_obis(4), 3, std::nullopt, ""},
    };
    h.start(o);
    REQUIRE(h.run_until([&] { return h.batches.size() >= 3; }));
    const auto& r = h.batches[0].readings;
    REQUIRE(r.size() == 4);
    REQUIRE(r[0].point == "energy");
    REQUIRE(near(r[0].value, 12.345));
    REQUIRE(r[0].unit == "Wh");
    REQUIRE(near(r[1].value, 0.012345));
    REQUIRE(r[1].unit == "kWh");
    REQUIRE(near(r[2].value, -500));
    REQUIRE(r[2].unit == "unit200");
    REQUIRE(near(r[3].value, 400));
    REQUIRE(r[3].unit.empty());
    REQUIRE(h.meter.count("GET-LIST 3 3/1.0.21.7.0.255/3 3/1.0.23.7.0.255/3 3/1.0.25.7.0.255/3") == 1);
    // Counted every period, logged once per association.
    REQUIRE(h.stats().access_errors >= 3);
    REQUIRE(h.logger.count("denied") == 1);
}

TEST_CASE("identity: mismatch reported once per association, optionally blocking", "[dlms][client][identity]") {
    Harness h;
    h.meter.set_object(1, serial_obis, 2, Data::visible_string("JS2-999 "));
    h.meter.set_object(1, meter_id_obis, 2, Data::visible_string("FEEDER-7"));
    h.meter.set_register(register_obis(0), Data::double_long_unsigned(1), 0, 27);
    auto o = h.fast_options();
    o.identity_period = 30ms;
    o.identity = {IdentityOptions{"serial_number", serial_obis, 1, "JS2-123"},
                  IdentityOptions{"meter_id", meter_id_obis, 1, "FEEDER-7"}};
    o.registers = {RegisterOptions{"w", register_obis(0), 3, std::nullopt, ""}};
    o.register_period = 30ms;

    SECTION("not blocking: reported once, the other tasks run") {
        h.start(o);
        REQUIRE(h.run_until([&] { return h.meter.count("GET-LIST 2 1/") >= 4 && h.batches.size() >= 2; }));
        REQUIRE(h.count_events("dlms_identity_mismatch") == 1);
        const auto* e = h.last_event("dlms_identity_mismatch");
        REQUIRE(e->detail_json ==
                "{\"object\":\"serial_number\",\"obis\":\"0.0.96.11.0.255\",\"expected\":\"JS2-123\",\"actual\":\"JS2-"
                "999\"}");
        const auto s = h.stats();
        REQUIRE(s.identity.at("serial_number") == "JS2-999");
        REQUIRE(s.identity.at("meter_id") == "FEEDER-7");
    }
    SECTION("blocking: registers are not read while the identity is wrong") {
        o.identity_blocks = true;
        h.start(o);
        REQUIRE(h.run_until([&] { return h.meter.count("GET-LIST 2 1/") >= 3; }));
        REQUIRE(h.batches.empty());
        REQUIRE(h.meter.count("GET 3/") == 0);
        REQUIRE(h.count_events("dlms_identity_mismatch") == 1);
        // The right meter is back: reads resume.
        h.meter.set_object(1, serial_obis, 2, Data::visible_string("JS2-123"));
        REQUIRE(h.run_until([&] { return !h.batches.empty(); }));
    }
}

TEST_CASE("traces: frames in hex and APDUs described, never the password", "[dlms][client][trace]") {
    for (const bool hdlc : {true, false}) {
        Harness h(hdlc);
        h.logger.set_level(LogLevel::info);
        h.logger.set_trace("m1", true);
        h.meter.params = HdlcParameters{128, 40, 1, 1};  // the AARQ in two frames: the mask spans both
        h.meter.set_object(1, serial_obis, 2, Data::visible_string("A1"));
        auto o = h.fast_options();
        o.client_sap = 1;
        o.password = "ClientId1";
        o.identity = {IdentityOptions{"serial_number", serial_obis, 1, ""}};
        h.start(o);
        REQUIRE(h.run_until([&] { return h.stats().identity.count("serial_number") == 1; }));
        const auto lines = h.logger.lines();
        std::size_t tx = 0, rx = 0, described = 0;
        for (const auto& line : lines) {
            REQUIRE(line.find("ClientId1") == std::string::npos);
            REQUIRE(line.find("43 6c 69 65 6e 74 49 64 31") == std::string::npos);
            REQUIRE(line.find("49 64 31") == std::string::npos);  // nor its tail in a second frame
            if (line.find("trace [m1] tx ") != std::string::npos) ++tx;
            if (line.find("trace [m1] rx ") != std::string::npos) ++rx;
            if (line.find("AARQ") != std::string::npos || line.find("GET-Request") != std::string::npos) ++described;
        }
        REQUIRE(tx >= 2);
        REQUIRE(rx >= 2);
        REQUIRE(described >= 2);
        REQUIRE(h.logger.count("2a 2a 2a") >= 1);  // where the password was
    }
}
