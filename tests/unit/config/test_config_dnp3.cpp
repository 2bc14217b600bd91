// DNP3 meters in the configuration: links, defaults, points, templates, reads.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

using namespace gridgate;
using namespace gridgate::gateway;
using namespace gridgate::gateway::test;

namespace {
const MeterConfig& meter(const GatewayConfig& c, const std::string& id) {
    for (const auto& m : c.meters)
        if (m.id == id) return m;
    FAIL("no meter " << id);
    return c.meters.front();
}
const ConnectionConfig& connection(const GatewayConfig& c, const std::string& id) {
    for (const auto& x : c.connections)
        if (x.id == id) return x;
    FAIL("no connection " << id);
    return c.connections.front();
}
}  // namespace

TEST_CASE("the DNP3 example fixture loads with every link kind", "[config][dnp3]") {
    const auto r = load_config(fixture("good/dnp3.yaml"));
    INFO((r.issues.empty() ? std::string() : r.issues.front().to_string()));
    REQUIRE(r.config);
    const auto& c = *r.config;

    const auto& f1 = meter(c, "feeder1");
    CHECK(f1.protocol == "dnp3");
    CHECK(f1.connection == "feeder1");
    const auto& implicit = connection(c, "feeder1");
    CHECK(implicit.protocol == "dnp3_tcp");
    CHECK(implicit.port == 20000);  // the reference meter's DNP3 port
    CHECK(f1.dnp3.address == 1);
    CHECK(f1.dnp3.class1_period == std::chrono::seconds(30));
    CHECK(f1.dnp3.time_sync == "lan");
    CHECK(f1.dnp3.time_tolerance == std::chrono::milliseconds(500));
    REQUIRE(f1.dnp3_points.size() == 3);
    CHECK(f1.dnp3_points[0].name == "wh_del");
    CHECK(f1.dnp3_points[0].type == "counter");
    CHECK(f1.dnp3_points[0].scale == Approx(0.001));
    CHECK(f1.dnp3_points[0].rollover == "999999999");
    CHECK(f1.dnp3_points[2].type == "analog_input");
    CHECK(f1.dnp3_points[2].index == 3);
    CHECK(f1.points.empty());
    REQUIRE(f1.dnp3_reads.size() == 1);
    CHECK(f1.dnp3_reads[0].name == "counters");
    CHECK(f1.dnp3_reads[0].stop == 3);
    CHECK(f1.dnp3_reads[0].variation == 5);
    CHECK(f1.dnp3_reads[0].period == std::chrono::minutes(5));

    CHECK(connection(c, "sub").port == 20000);
    CHECK(meter(c, "feeder2").connection == "sub");
    CHECK(meter(c, "feeder3").dnp3.address == 3);

    const auto& s1 = meter(c, "serial1");
    CHECK(s1.bus == "rs485");
    CHECK(s1.dnp3.priority == "high");
    CHECK(s1.dnp3_points.size() == 4);  // template + its own binary input
    CHECK(meter(c, "modbus1").protocol == "modbus");
}

TEST_CASE("DNP3 session defaults follow the reference meter and IEEE 1815", "[config][dnp3]") {
    const auto r = parse_config(R"(gateway: {id: s}
meters:
  - id: m
    protocol: dnp3
    host: 10.0.0.1
    points: [{name: c, type: counter, index: 0}]
)", "site.yaml");
    REQUIRE(r.config);
    const Dnp3Config& d = r.config->meters[0].dnp3;
    CHECK(d.address == 1);
    CHECK(d.master_address == 1);
    CHECK_FALSE(d.confirmed_link);
    CHECK(d.response_timeout == std::chrono::seconds(5));
    CHECK(d.integrity_period == std::chrono::hours(1));
    CHECK(d.class1_period == std::chrono::minutes(1));
    CHECK(d.class2_period == Duration::zero());
    CHECK(d.class0_period == std::chrono::minutes(1));
    CHECK(d.time_sync == "auto");
    CHECK(d.sync_on_need_time);
    CHECK(r.config->meters[0].dnp3_points[0].rollover == "none");
}

TEST_CASE("master and outstation addresses must differ", "[config][dnp3]") {
    const auto issues = issues_of(R"(gateway: {id: s}
meters:
  - id: m
    protocol: dnp3
    host: 10.0.0.1
    dnp3: {address: 5, master_address: 5}
    points: [{name: c, type: counter, index: 0}]
)");
    REQUIRE(issues.size() == 1);
    CHECK(issues[0] == "site.yaml:6: meters[0].dnp3.master_address: must differ from the outstation's address (5)");
}

TEST_CASE("a DNP3 template's points are checked once, with the template", "[config][dnp3]") {
    const auto issues = issues_of(R"(gateway: {id: s}
templates:
  - id: t
    protocol: dnp3
    points:
      - {name: a, type: counter, index: 0}
      - {name: a, type: counter, index: 1}
meters:
  - {id: m1, protocol: dnp3, host: 10.0.0.1, template: t}
  - {id: m2, protocol: dnp3, host: 10.0.0.2, template: t}
)");
    REQUIRE(issues.size() == 1);
    CHECK(issues[0] == "site.yaml:7: templates[0].points[1].name: duplicate point name a (first defined at line 6)");
}

TEST_CASE("a DNP3 meter's own point may not reuse a template index", "[config][dnp3]") {
    const auto issues = issues_of(R"(gateway: {id: s}
templates:
  - id: t
    protocol: dnp3
    points:
      - {name: a, type: analog_input, index: 4}
meters:
  - id: m1
    protocol: dnp3
    host: 10.0.0.1
    template: t
    points:
      - {name: b, type: analog_input, index: 4}
)");
    REQUIRE(issues.size() == 1);
    CHECK(issues[0] ==
          "site.yaml:13: meters[0].points[0].index: analog_input index 4 is already mapped to point a (already in "
          "template t, line 6)");
}

TEST_CASE("DNP3 and Modbus meters may share a serial bus but not an address space", "[config][dnp3]") {
    const auto r = parse_config(R"(gateway: {id: s}
buses:
  - {id: b, device: /dev/ttyS0}
meters:
  - {id: d1, protocol: dnp3, bus: b, dnp3: {address: 3}, points: [{name: c, type: counter, index: 0}]}
  - {id: m1, bus: b, unit_id: 3, points: [{name: w, table: holding, address: 0}]}
)", "site.yaml");
    // DNP3 link addresses and Modbus slave addresses are separate spaces on the wire
    // (different frame formats), so the same number is fine.
    REQUIRE(r.config);
    CHECK(r.config->meters.size() == 2);
}

TEST_CASE("the shipped JEMStar II DNP3 example loads", "[config][dnp3]") {
    const auto r = load_config(source_dir() + "/docs/examples/jemstar2-dnp3.yaml");
    INFO((r.issues.empty() ? std::string() : r.issues.front().to_string()));
    REQUIRE(r.config);
    CHECK(r.config->meters.size() == 5);
    for (const auto& m : r.config->meters) {
        CHECK(m.protocol == "dnp3");
        CHECK(m.dnp3_points.size() == 32);  // Appendix C: 4 counters, 4 frozen, 18 analogs, 2 inputs, 4 outputs
    }
}
