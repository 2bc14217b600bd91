// Serial buses (Modbus RTU) and meters on them.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

using namespace gridgate::gateway;
using namespace gridgate::gateway::test;
using namespace std::chrono_literals;
using Issues = std::vector<std::string>;

namespace {
const std::string header = "gateway: {id: site-01}\n";
const std::string point = "points: [{name: p, ref: 40001}]";
}  // namespace

TEST_CASE("a bus with its line settings and meters on it") {
    const auto r = parse_config(header + R"(buses:
  - id: rs485-1
    device: /dev/serial/by-id/usb-FTDI_FT232R-if00-port0
    baud: 19200
    parity: even
    stop_bits: 1
    rs485: rts
    tx_start_delay: 40ms
    tx_end_delay: 40ms
    max_backoff: 10m
    backoff_after: 2
connections:
  - {id: server1, protocol: modbus_rtu_over_tcp, host: 10.0.0.9, port: 4001}
meters:
  - {id: m1, bus: rs485-1, unit_id: 5, points: [{name: p, ref: 40001}]}
  - {id: m2, bus: rs485-1, unit_id: 6, points: [{name: p, ref: 40001}]}
  - {id: m3, connection: server1, unit_id: 7, points: [{name: p, ref: 40001}]}
)",
                                "site.yaml");
    for (const auto& i : r.issues) INFO(i.to_string());
    REQUIRE(r.config);
    const auto& c = *r.config;
    REQUIRE(c.buses.size() == 1);
    const auto& b = c.buses[0];
    CHECK(b.id == "rs485-1");
    CHECK(b.protocol == "modbus_rtu");
    CHECK(b.device == "/dev/serial/by-id/usb-FTDI_FT232R-if00-port0");
    CHECK(b.baud == 19200);
    CHECK(b.data_bits == 8);
    CHECK(b.parity == "even");
    CHECK(b.stop_bits == 1);
    CHECK(b.rs485 == "rts");
    CHECK(b.tx_start_delay == 40ms);
    CHECK(b.tx_end_delay == 40ms);
    CHECK(b.max_backoff == 10min);
    CHECK(b.backoff_after == 2);
    CHECK(c.meters[0].bus == "rs485-1");
    CHECK(c.meters[0].connection.empty());
    CHECK(c.meters[0].unit_id == 5);
    CHECK(c.meters[2].connection == "server1");
    CHECK(c.connections[0].protocol == "modbus_rtu_over_tcp");
}

TEST_CASE("bus defaults") {
    const auto r = parse_config(header + "buses: [{id: b, device: /dev/ttyS1}]\nmeters:\n  - {id: m1, bus: b, " + point + "}\n",
                                "site.yaml");
    REQUIRE(r.config);
    const auto& b = r.config->buses[0];
    CHECK(b.baud == 9600);
    CHECK(b.parity == "none");
    CHECK(b.stop_bits == 1);
    CHECK(b.data_bits == 8);
    CHECK(b.rs485 == "none");
    CHECK(b.max_backoff == 5min);
    CHECK(b.backoff_after == 3);
    CHECK(r.config->meters[0].unit_id == 1);
}

TEST_CASE("a non-standard baud rate is refused with the list") {
    CHECK(issues_of(header + "buses: [{id: b, device: /dev/ttyS1, baud: 9601}]\nmeters:\n  - {id: m1, bus: b, " + point +
                    "}\n") ==
          Issues{"site.yaml:2: buses[0].baud: must be a standard rate: 1200, 2400, 4800, 9600, 19200, 38400, 57600 or "
                 "115200, got 9601"});
}

TEST_CASE("a bus needs a device, and parity and rs485 name their choices") {
    CHECK(issues_of(header + "buses: [{id: b, parity: mark, rs485: auto}]\nmeters:\n  - {id: m1, bus: b, " + point +
                    "}\n") == Issues{"site.yaml:2: buses[0].device: required key is missing",
                                     "site.yaml:2: buses[0].parity: must be one of none, even or odd, got mark",
                                     "site.yaml:2: buses[0].rs485: must be one of none, kernel or rts, got auto"});
}

TEST_CASE("RTS delays without direction control are refused") {
    CHECK(issues_of(header + "buses: [{id: b, device: /dev/ttyS1, tx_start_delay: 40ms}]\nmeters:\n  - {id: m1, bus: b, " +
                    point + "}\n") ==
          Issues{"site.yaml:2: buses[0].tx_start_delay: only used with rs485: rts or kernel (this bus has rs485: none)"});
}

TEST_CASE("slave address 0 (broadcast) and above 247 are refused on a bus") {
    CHECK(issues_of(header + "buses: [{id: b, device: /dev/ttyS1}]\nmeters:\n  - {id: m1, bus: b, unit_id: 0, " + point +
                    "}\n") == Issues{"site.yaml:4: meters[0].unit_id: must be an integer between 1 and 247, got 0"});
}

TEST_CASE("an unknown bus, and a meter on two links, are refused") {
    CHECK(issues_of(header + "meters:\n  - {id: m1, bus: nosuch, " + point + "}\n") ==
          Issues{"site.yaml:3: meters[0].bus: unknown bus nosuch (no buses are defined)"});
    CHECK(issues_of(header + "buses: [{id: b, device: /dev/ttyS1}]\nmeters:\n  - {id: m1, bus: b, host: 10.0.0.1, " +
                    point + "}\n") == Issues{"site.yaml:4: meters[0]: give only one of host, connection or bus"});
}

TEST_CASE("a bus may not share its id with a connection") {
    CHECK(issues_of(header + "connections: [{id: x, host: 10.0.0.1}]\nbuses: [{id: x, device: /dev/ttyS1}]\nmeters:\n"
                             "  - {id: m1, bus: x, " + point + "}\n") ==
          Issues{"site.yaml:3: buses[0].id: bus x has the id of the connection defined at line 2; connections and "
                 "buses need distinct ids"});
}
