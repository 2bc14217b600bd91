// Valid configurations become the expected structs, with defaults filled in.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

using namespace gridgate;
using namespace gridgate::gateway;
using namespace gridgate::gateway::test;
using namespace std::chrono_literals;

namespace {

const std::string full_config = R"(gateway:
  id: site-01
  data_dir: /srv/gg
  log_level: debug
  status_interval: 5m
mqtt:
  host: broker.example
  port: 1884
  topic_prefix: utility/north
  username: site-01
  keepalive: 45s
  batch_max_readings: 200
  inflight_batches: 4
store:
  commit_interval: 250ms
  commit_max_readings: 5000
  sync: normal
templates:
  - id: jemstar2
    points:
      - {name: wh_del, table: holding, address: 0, type: u32, scale: 0.001, unit: kWh}
      - {name: va, table: input, address: 0, type: s16, full_scale: 530, unit: V}
      - {name: di1, table: discrete_input, address: 0}
connections:
  - id: feeder-gw
    host: 10.0.0.5
    max_connections: 2
    connect_timeout: 500ms
meters:
  - id: jem1
    host: 10.0.0.11
    port: 1502
    reconnect_max: 2m
    unit_id: 7
    template: jemstar2
    points:
      - {name: qh_del, ref: 40011, type: u32}
      - {name: alarm, ref: 00003}
    poll_interval: 15m
    poll_jitter: 30s
    response_timeout: 1500ms
    max_block_registers: 60
    max_gap: 3
    trace: true
  - id: jem2
    connection: feeder-gw
    unit_id: 0
    template: jemstar2
    enabled: false
)";

}  // namespace

TEST_CASE("a full configuration parses into the expected structs") {
    const ConfigResult result = parse_config(full_config, "site.yaml");
    REQUIRE(result.issues.empty());
    REQUIRE(result.config);
    const GatewayConfig& c = *result.config;

    CHECK(c.id == "site-01");
    CHECK(c.data_dir == "/srv/gg");
    CHECK(c.control_socket == "/srv/gg/gridgated.sock");
    CHECK(c.log_level == LogLevel::debug);
    CHECK(c.status_interval == 5min);
    CHECK(c.source_file == "site.yaml");

    CHECK(c.mqtt.host == "broker.example");
    CHECK(c.mqtt.port == 1884);
    CHECK(c.mqtt.client_id == "gridgate-site-01");
    CHECK(c.mqtt.topic_prefix == "utility/north");
    CHECK(c.mqtt.username == "site-01");
    CHECK(c.mqtt.keepalive == 45s);
    CHECK(c.mqtt.batch_max_readings == 200);
    CHECK(c.mqtt.inflight_batches == 4);
    CHECK_FALSE(c.mqtt.tls.enabled);

    CHECK(c.store.commit_interval == 250ms);
    CHECK(c.store.commit_max_readings == 5000);
    CHECK(c.store.sync == "normal");

    REQUIRE(c.templates.size() == 1);
    CHECK(c.templates[0].id == "jemstar2");
    CHECK(c.templates[0].points.size() == 3);
}

TEST_CASE("meters get their template's points first, then their own") {
    const auto c = *parse_config(full_config, "site.yaml").config;
    REQUIRE(c.meters.size() == 2);
    const MeterConfig& jem1 = c.meters[0];
    REQUIRE(jem1.points.size() == 5);
    CHECK(jem1.template_id == "jemstar2");

    const PointConfig& wh = jem1.points[0];
    CHECK(wh.name == "wh_del");
    CHECK(wh.table == PointTable::holding_register);
    CHECK(wh.address == 0);
    CHECK(wh.type == PointType::u32);
    CHECK(wh.scale == 0.001);
    CHECK(wh.unit == "kWh");
    CHECK(wh.line == 21);

    const PointConfig& va = jem1.points[1];
    CHECK(va.table == PointTable::input_register);
    CHECK(va.type == PointType::s16);
    REQUIRE(va.full_scale);
    CHECK(*va.full_scale == 530.0);
    CHECK(va.scale_factor == 1.0);

    const PointConfig& di = jem1.points[2];
    CHECK(di.table == PointTable::discrete_input);
    CHECK(di.type == PointType::boolean);  // the default in a bit table

    const PointConfig& qh = jem1.points[3];
    CHECK(qh.name == "qh_del");
    CHECK(qh.table == PointTable::holding_register);
    CHECK(qh.address == 10);  // 40011 is the 11th holding register
    CHECK(qh.line == 37);

    const PointConfig& alarm = jem1.points[4];
    CHECK(alarm.table == PointTable::coil);
    CHECK(alarm.address == 2);
    CHECK(alarm.type == PointType::boolean);

    CHECK(c.meters[1].points.size() == 3);
}

TEST_CASE("meter settings and their defaults") {
    const auto c = *parse_config(full_config, "site.yaml").config;
    const MeterConfig& jem1 = c.meters[0];
    CHECK(jem1.id == "jem1");
    CHECK(jem1.unit_id == 7);
    CHECK(jem1.poll_interval == 15min);
    CHECK(jem1.poll_jitter == 30s);
    CHECK(jem1.response_timeout == 1500ms);
    CHECK(jem1.max_block_registers == 60);
    CHECK(jem1.max_gap == 3);
    CHECK(jem1.trace);
    CHECK(jem1.enabled);

    const MeterConfig& jem2 = c.meters[1];
    CHECK(jem2.unit_id == 0);
    CHECK(jem2.poll_interval == 1min);
    CHECK(jem2.poll_jitter == 0s);
    CHECK(jem2.response_timeout == 1s);
    CHECK(jem2.max_block_registers == 125);
    CHECK(jem2.max_gap == 0);
    CHECK_FALSE(jem2.trace);
    CHECK_FALSE(jem2.enabled);
}

TEST_CASE("a meter with host gets an implicit connection named after it") {
    const auto c = *parse_config(full_config, "site.yaml").config;
    REQUIRE(c.connections.size() == 2);

    const ConnectionConfig& shared = c.connections[0];
    CHECK(shared.id == "feeder-gw");
    CHECK(shared.protocol == "modbus_tcp");
    CHECK(shared.host == "10.0.0.5");
    CHECK(shared.port == 502);
    CHECK(shared.max_connections == 2);
    CHECK(shared.connect_timeout == 500ms);
    CHECK(shared.reconnect_max == 60s);
    CHECK_FALSE(shared.implicit);

    const ConnectionConfig& own = c.connections[1];
    CHECK(own.id == "jem1");
    CHECK(own.host == "10.0.0.11");
    CHECK(own.port == 1502);
    CHECK(own.max_connections == 1);
    CHECK(own.connect_timeout == 3s);
    CHECK(own.reconnect_max == 2min);
    CHECK(own.implicit);

    CHECK(c.meters[0].connection == "jem1");
    CHECK(c.meters[1].connection == "feeder-gw");
}

TEST_CASE("the smallest configuration gets every default") {
    const ConfigResult result = parse_config(minimal_config, "site.yaml");
    REQUIRE(result.config);
    const GatewayConfig& c = *result.config;
    CHECK(c.data_dir == "/var/lib/gridgate");
    CHECK(c.control_socket == "/var/lib/gridgate/gridgated.sock");
    CHECK(c.log_level == LogLevel::info);
    CHECK(c.status_interval == 60s);
    CHECK(c.mqtt.host == "127.0.0.1");
    CHECK(c.mqtt.port == 1883);
    CHECK(c.mqtt.client_id == "gridgate-site-01");
    CHECK(c.mqtt.topic_prefix == "gridgate");
    CHECK(c.mqtt.keepalive == 30s);
    CHECK(c.mqtt.batch_max_readings == 500);
    CHECK(c.mqtt.inflight_batches == 16);
    CHECK(c.mqtt.tls.verify_server);
    CHECK(c.store.commit_interval == 100ms);
    CHECK(c.store.commit_max_readings == 10'000);
    CHECK(c.store.sync == "full");
    CHECK(c.templates.empty());
    REQUIRE(c.meters.size() == 1);
    CHECK(c.meters[0].unit_id == 1);
}

TEST_CASE("explicit client_id and control_socket are kept; empty sections mean defaults") {
    const ConfigResult result = parse_config(R"(gateway:
  id: gw.7
  control_socket: /run/gg.sock
mqtt:
  client_id: custom
store:
templates: []
connections: []
meters:
  - id: m
    host: meter.local
    points: [{name: p, table: coil, address: 5}]
)", "site.yaml");
    REQUIRE(result.config);
    CHECK(result.config->control_socket == "/run/gg.sock");
    CHECK(result.config->mqtt.client_id == "custom");
    CHECK(result.config->store.sync == "full");
}

TEST_CASE("integers may be written in hex, numbers with a sign or exponent") {
    const ConfigResult result = parse_config(R"(gateway: {id: site-01}
meters:
  - id: jem1
    host: 10.0.0.11
    points:
      - {name: a, table: holding, address: 0x10, offset: -40, scale: 1e-3}
      - {name: b, table: holding, address: 0X1f, offset: +2.5}
)", "site.yaml");
    REQUIRE(result.config);
    const auto& points = result.config->meters[0].points;
    CHECK(points[0].address == 16);
    CHECK(points[0].offset == -40.0);
    CHECK(points[0].scale == 0.001);
    CHECK(points[1].address == 31);
    CHECK(points[1].offset == 2.5);
}

TEST_CASE("YAML anchors and aliases may share values") {
    const ConfigResult result = parse_config(R"(gateway: {id: site-01}
meters:
  - id: jem1
    host: 10.0.0.11
    poll_interval: &fast 10s
    points: &counters
      - {name: wh_del, ref: 40001, type: u32}
  - id: jem2
    host: 10.0.0.12
    poll_interval: *fast
    points: *counters
)", "site.yaml");
    REQUIRE(result.config);
    CHECK(result.config->meters[1].poll_interval == 10s);
    CHECK(result.config->meters[1].points.size() == 1);
}

TEST_CASE("TLS on without an explicit port means port 8883") {
    const std::string ca = fixture("good/secrets/ca.pem");
    const ConfigResult result = parse_config(minimal_config + "mqtt:\n  tls: {enabled: true, ca_file: " + ca + "}\n",
                                             "site.yaml");
    REQUIRE(result.config);
    CHECK(result.config->mqtt.tls.enabled);
    CHECK(result.config->mqtt.tls.ca_file == ca);
    CHECK(result.config->mqtt.port == 8883);
}

TEST_CASE("the JEMStar II example in docs/examples loads without issues") {
    const ConfigResult result = load_config(source_dir() + "/docs/examples/jemstar2.yaml");
    for (const auto& issue : result.issues) UNSCOPED_INFO(issue.to_string());
    REQUIRE(result.issues.empty());
    REQUIRE(result.config);
    const GatewayConfig& c = *result.config;
    REQUIRE(c.templates.size() == 1);
    CHECK(c.templates[0].points.size() == 29);
    REQUIRE(c.meters.size() == 4);
    CHECK(c.meters[1].points.size() == 30);
    CHECK(c.meters[1].points.back().name == "qh_del");
    CHECK(c.meters[2].connection == "feeder-gw");
    CHECK(c.meters[3].unit_id == 4);
    CHECK(c.connections.size() == 3);  // feeder-gw, then the implicit jem1 and jem2
}
