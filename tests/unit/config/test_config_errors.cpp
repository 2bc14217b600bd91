// One case per kind of mistake in the sections, asserting the exact message: metering
// engineers act on these, so their wording is part of the interface.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

using namespace gridgate::gateway;
using namespace gridgate::gateway::test;
using Issues = std::vector<std::string>;

TEST_CASE("unknown key at the top level") {
    CHECK(issues_of(minimal_config + "gatway: {}\n") ==
          Issues{"site.yaml:8: gatway: unknown key (expected one of: gateway, mqtt, store, time, templates, connections, "
                 "buses, meters, files)"});
}

TEST_CASE("unknown key in a section") {
    CHECK(issues_of(R"(gateway:
  id: site-01
  idd: site-02
meters:
  - {id: jem1, host: 10.0.0.11, points: [{name: p, ref: 40001}]}
)") == Issues{"site.yaml:3: gateway.idd: unknown key (expected one of: id, data_dir, control_socket, log_level, "
              "status_interval, secrets_file)"});
}

TEST_CASE("unknown key in a nested map") {
    CHECK(issues_of(minimal_config + "mqtt:\n  tls:\n    enable: true\n") ==
          Issues{"site.yaml:10: mqtt.tls.enable: unknown key (expected one of: enabled, ca_file, cert_file, key_file, "
                 "verify_server)"});
}

TEST_CASE("a string where an integer is required") {
    CHECK(issues_of(minimal_config + "mqtt:\n  port: mqtt\n") ==
          Issues{"site.yaml:9: mqtt.port: must be an integer between 1 and 65535, got mqtt"});
}

TEST_CASE("integers with trailing junk, fractions and quotes are refused") {
    CHECK(issues_of(minimal_config + "    unit_id: 12abc\n    max_gap: 1.5\n    max_block_registers: \"60\"\n") ==
          Issues{"site.yaml:8: meters[0].unit_id: must be an integer between 0 and 255, got 12abc",
                 "site.yaml:9: meters[0].max_gap: must be an integer between 0 and 124, got 1.5",
                 "site.yaml:10: meters[0].max_block_registers: must be an integer between 1 and 125, got \"60\" "
                 "(remove the quotes: a quoted value is a string)"});
}

TEST_CASE("a list where a map is required") {
    CHECK(issues_of(minimal_config + "mqtt: [127.0.0.1, 1883]\n") ==
          Issues{"site.yaml:8: mqtt: must be a map, got a list"});
}

TEST_CASE("a map where a list is required") {
    CHECK(issues_of(R"(gateway: {id: site-01}
meters:
  id: jem1
  host: 10.0.0.11
)") == Issues{"site.yaml:2: meters: must be a list, got a map"});
}

TEST_CASE("a list where a scalar is required") {
    CHECK(issues_of(minimal_config + "mqtt: {host: [a, b]}\n") ==
          Issues{"site.yaml:8: mqtt.host: must be a host name or IP address, got a list"});
}

TEST_CASE("port out of range") {
    CHECK(issues_of(minimal_config + "mqtt:\n  port: 70000\n") ==
          Issues{"site.yaml:9: mqtt.port: must be an integer between 1 and 65535, got 70000"});
    CHECK(issues_of(minimal_config + "    port: 0\n") ==
          Issues{"site.yaml:8: meters[0].port: must be an integer between 1 and 65535, got 0"});
}

TEST_CASE("unit_id out of range") {
    CHECK(issues_of(minimal_config + "    unit_id: 300\n") ==
          Issues{"site.yaml:8: meters[0].unit_id: must be an integer between 0 and 255, got 300"});
    CHECK(issues_of(minimal_config + "    unit_id: -1\n") ==
          Issues{"site.yaml:8: meters[0].unit_id: must be an integer between 0 and 255, got -1"});
}

TEST_CASE("durations out of range") {
    CHECK(issues_of(minimal_config + "    poll_interval: 2ms\n    response_timeout: 2m\n") ==
          Issues{"site.yaml:8: meters[0].poll_interval: must be a duration between 10ms and 24h, got 2ms",
                 "site.yaml:9: meters[0].response_timeout: must be a duration between 10ms and 1m, got 2m"});
    CHECK(issues_of(minimal_config + "store: {commit_interval: 20s}\n") ==
          Issues{"site.yaml:8: store.commit_interval: must be a duration between 1ms and 10s, got 20s"});
}

TEST_CASE("poll_jitter longer than poll_interval") {
    CHECK(issues_of(minimal_config + "    poll_interval: 15m\n    poll_jitter: 20m\n") ==
          Issues{"site.yaml:9: meters[0].poll_jitter: must not be longer than poll_interval (15m), got 20m"});
}

TEST_CASE("batch sizes out of range") {
    CHECK(issues_of(minimal_config + "mqtt: {batch_max_readings: 0, inflight_batches: 1001}\n" +
                    "store: {commit_max_readings: 2000000}\n") ==
          Issues{"site.yaml:8: mqtt.batch_max_readings: must be an integer between 1 and 10000, got 0",
                 "site.yaml:8: mqtt.inflight_batches: must be an integer between 1 and 1000, got 1001",
                 "site.yaml:9: store.commit_max_readings: must be an integer between 1 and 1000000, got 2000000"});
}

TEST_CASE("a duration without a unit gets a hint") {
    CHECK(issues_of(minimal_config + "    poll_interval: 15\n") ==
          Issues{"site.yaml:8: meters[0].poll_interval: must be a duration with a unit, got 15 (write e.g. 15s; "
                 "units: us, ms, s, m or min, h, d)"});
}

TEST_CASE("a duration that is not one") {
    CHECK(issues_of(minimal_config + "mqtt:\n  keepalive: 30 seconds\n") ==
          Issues{"site.yaml:9: mqtt.keepalive: must be a duration like 250ms, 30s, 15m or 1h, got 30 seconds"});
    CHECK(issues_of(minimal_config + "mqtt:\n  keepalive: 1500ms\n") ==
          Issues{"site.yaml:9: mqtt.keepalive: must be a whole number of seconds (MQTT counts keepalive in seconds), "
                 "got 1500ms"});
}

TEST_CASE("a boolean must be true or false") {
    CHECK(issues_of(minimal_config + "    trace: yes\n    enabled: \"false\"\n") ==
          Issues{"site.yaml:8: meters[0].trace: must be true or false, got yes",
                 "site.yaml:9: meters[0].enabled: must be true or false, got \"false\" (remove the quotes: a quoted "
                 "value is a string)"});
}

TEST_CASE("bad enum values") {
    CHECK(issues_of(R"(gateway:
  id: site-01
  log_level: verbose
store:
  sync: fast
connections:
  - {id: c1, host: 10.0.0.5, protocol: dnp3}
meters:
  - {id: jem1, connection: c1, points: [{name: p, ref: 40001}]}
)") == Issues{"site.yaml:3: gateway.log_level: must be one of trace, debug, info, warn, error or off, got verbose",
              "site.yaml:5: store.sync: must be one of full or normal, got fast",
              "site.yaml:7: connections[0].protocol: must be one of modbus_tcp, modbus_rtu_over_tcp, dnp3_tcp or dlms_tcp, got dnp3"});
}

TEST_CASE("ids must be usable as MQTT topic segments") {
    CHECK(issues_of(R"(gateway:
  id: site/01
meters:
  - {id: jem 1, host: 10.0.0.11, points: [{name: p, ref: 40001}]}
)") == Issues{"site.yaml:2: gateway.id: must be 1 to 64 characters from A-Z a-z 0-9 _ . -, got site/01",
              "site.yaml:4: meters[0].id: must be 1 to 64 characters from A-Z a-z 0-9 _ . -, got jem 1"});
}

TEST_CASE("topic_prefix without wildcards or stray slashes") {
    CHECK(issues_of(minimal_config + "mqtt: {topic_prefix: site/+/x}\n") ==
          Issues{"site.yaml:8: mqtt.topic_prefix: must be a topic prefix such as gridgate or site/north: no +, # or "
                 "empty levels, no leading or trailing / and no leading $, got site/+/x"});
    CHECK(issues_of(minimal_config + "mqtt: {topic_prefix: /gridgate}\n").size() == 1);
    CHECK(issues_of(minimal_config + "mqtt: {topic_prefix: a//b}\n").size() == 1);
}

TEST_CASE("missing required keys") {
    CHECK(issues_of(R"(gateway:
  data_dir: /srv/gg
meters:
  - host: 10.0.0.11
    points: [{ref: 40001}]
)") == Issues{"site.yaml:1: gateway.id: required key is missing", "site.yaml:4: meters[0].id: required key is missing",
              "site.yaml:5: meters[0].points[0].name: required key is missing"});
    CHECK(issues_of("meters: []\n") ==
          Issues{"site.yaml:1: gateway: required key is missing", "site.yaml:1: meters: at least one meter is required"});
}

TEST_CASE("no meters") {
    CHECK(issues_of("gateway: {id: site-01}\n") == Issues{"site.yaml:1: meters: required key is missing"});
    CHECK(issues_of("gateway: {id: site-01}\nmeters:\n") ==
          Issues{"site.yaml:2: meters: at least one meter is required"});
}

TEST_CASE("duplicate meter id") {
    CHECK(issues_of(minimal_config + "  - {id: jem1, host: 10.0.0.12, points: [{name: p, ref: 40001}]}\n") ==
          Issues{"site.yaml:8: meters[1].id: duplicate meter id jem1 (first defined at line 4)"});
}

TEST_CASE("duplicate template id") {
    CHECK(issues_of(minimal_config + R"(templates:
  - id: t1
    points: [{name: a, ref: 40001}]
  - id: t1
    points: [{name: b, ref: 40003}]
)") == Issues{"site.yaml:11: templates[1].id: duplicate template id t1 (first defined at line 9)"});
}

TEST_CASE("duplicate connection id, and an implicit connection clashing with an explicit one") {
    CHECK(issues_of(R"(gateway: {id: site-01}
connections:
  - {id: gw, host: 10.0.0.5}
  - {id: gw, host: 10.0.0.6}
meters:
  - {id: gw, host: 10.0.0.11, points: [{name: p, ref: 40001}]}
)") == Issues{"site.yaml:4: connections[1].id: duplicate connection id gw (first defined at line 3)",
              "site.yaml:6: meters[0].host: the implicit connection named after meter gw clashes with the connection "
              "of that id defined at line 3; rename one, or use connection: gw"});
}

TEST_CASE("undefined template") {
    CHECK(issues_of(minimal_config + "    template: jemstar3\n") ==
          Issues{"site.yaml:8: meters[0].template: unknown template jemstar3 (no templates are defined)"});
    CHECK(issues_of(minimal_config + "    template: jemstar3\ntemplates: [{id: jemstar2, points: [{name: x, ref: "
                                     "30001}]}]\n") ==
          Issues{"site.yaml:8: meters[0].template: unknown template jemstar3 (templates defined: jemstar2)"});
}

TEST_CASE("undefined connection") {
    CHECK(issues_of(R"(gateway: {id: site-01}
connections:
  - {id: feeder-gw, host: 10.0.0.5}
meters:
  - {id: jem1, connection: feeder, points: [{name: p, ref: 40001}]}
)") == Issues{"site.yaml:5: meters[0].connection: unknown connection feeder (connections defined: feeder-gw)"});
}

TEST_CASE("a meter with both host and connection") {
    CHECK(issues_of(R"(gateway: {id: site-01}
connections: [{id: gw, host: 10.0.0.5}]
meters:
  - id: jem1
    host: 10.0.0.11
    connection: gw
    points: [{name: p, ref: 40001}]
)") == Issues{"site.yaml:6: meters[0]: give only one of host, connection or bus"});
}

TEST_CASE("a meter with neither host nor connection") {
    CHECK(issues_of(R"(gateway: {id: site-01}
meters:
  - id: jem1
    points: [{name: p, ref: 40001}]
)") == Issues{"site.yaml:3: meters[0]: needs host (its own connection), connection (a shared one) or bus (a serial line)"});
}

TEST_CASE("a meter on a shared connection cannot set the connection's settings") {
    CHECK(issues_of(R"(gateway: {id: site-01}
connections: [{id: gw, host: 10.0.0.5}]
meters:
  - id: jem1
    connection: gw
    port: 1502
    points: [{name: p, ref: 40001}]
)") == Issues{"site.yaml:6: meters[0].port: only allowed with host; this meter uses connection gw, so set it there"});
}

TEST_CASE("a meter without points") {
    CHECK(issues_of("gateway: {id: site-01}\nmeters:\n  - {id: jem1, host: 10.0.0.11}\n") ==
          Issues{"site.yaml:3: meters[0]: has no points (give a template, points, or both)"});
    CHECK(issues_of(R"(gateway: {id: site-01}
templates: [{id: t, points: []}]
meters: [{id: jem1, host: 10.0.0.11, template: t}]
)") == Issues{"site.yaml:2: templates[0].points: a template needs at least one point"});
}

TEST_CASE("TLS enabled without ca_file") {
    CHECK(issues_of(minimal_config + "mqtt:\n  tls: {enabled: true}\n") ==
          Issues{"site.yaml:9: mqtt.tls.ca_file: required when enabled is true"});
}

TEST_CASE("a client certificate without its key, and a key without its certificate") {
    const std::string cert = fixture("good/secrets/client.pem");
    const std::string key = fixture("good/secrets/client.key");
    CHECK(issues_of(minimal_config + "mqtt:\n  tls:\n    cert_file: " + cert + "\n") ==
          Issues{"site.yaml:9: mqtt.tls.key_file: required together with cert_file"});
    CHECK(issues_of(minimal_config + "mqtt:\n  tls:\n    key_file: " + key + "\n") ==
          Issues{"site.yaml:9: mqtt.tls.cert_file: required together with key_file"});
}

TEST_CASE("files named in the configuration must be readable") {
    CHECK(issues_of(minimal_config + "mqtt:\n  username: u\n  password_file: /nonexistent/mqtt.pass\n") ==
          Issues{"site.yaml:10: mqtt.password_file: cannot read /nonexistent/mqtt.pass: No such file or directory"});
    CHECK(issues_of(minimal_config + "mqtt:\n  tls: {enabled: true, ca_file: /}\n") ==
          Issues{"site.yaml:9: mqtt.tls.ca_file: cannot read /: is a directory, not a file"});
}

TEST_CASE("a password needs a username") {
    CHECK(issues_of(minimal_config + "mqtt:\n  password_file: " + fixture("good/secrets/mqtt.pass") + "\n") ==
          Issues{"site.yaml:9: mqtt.password_file: needs a username (MQTT sends a password only with a user name)"});
}

TEST_CASE("a control socket path longer than a Unix socket allows") {
    const std::string long_dir = "/srv/" + std::string(110, 'd');
    CHECK(issues_of("gateway:\n  id: s\n  data_dir: " + long_dir + "\n" + minimal_config.substr(minimal_config.find("meters"))) ==
          Issues{"site.yaml:1: gateway.control_socket: the default <data_dir>/gridgated.sock is 130 characters long, "
                 "more than the 107 a Unix socket path allows; set control_socket to a shorter path"});
}

TEST_CASE("every issue is reported, not only the first") {
    const Issues issues = issues_of(R"(gateway:
  id: site-01
  log_level: loud
mqtt:
  port: 0
meters:
  - id: jem1
    host: 10.0.0.11
    unit_id: 256
    template: nope
    points:
      - {name: p, ref: 20001}
  - id: jem1
    points: [{name: q, table: holding, address: 1, type: boolean}]
)");
    CHECK(issues == Issues{
        "site.yaml:3: gateway.log_level: must be one of trace, debug, info, warn, error or off, got loud",
        "site.yaml:5: mqtt.port: must be an integer between 1 and 65535, got 0",
        "site.yaml:9: meters[0].unit_id: must be an integer between 0 and 255, got 256",
        "site.yaml:10: meters[0].template: unknown template nope (no templates are defined)",
        "site.yaml:12: meters[0].points[0].ref: must be a Modicon reference: 5 digits 00001-09999 (coil), 10001-19999 "
        "(discrete input), 30001-39999 (input register), 40001-49999 (holding register), or 6 digits such as "
        "400001-465536, got 20001",
        "site.yaml:13: meters[1].id: duplicate meter id jem1 (first defined at line 7)",
        "site.yaml:13: meters[1]: needs host (its own connection), connection (a shared one) or bus (a serial line)",
        "site.yaml:14: meters[1].points[0].type: must be a register type (u16, s16, u32, s32, u32_le, s32_le or f32) "
        "for a holding register, got boolean",
    });
    const ConfigResult result = parse_config("gateway: {id: x}\nmeters: [{id: m}]\n", "site.yaml");
    CHECK_FALSE(result.config);
    CHECK(result.issues.size() == 2);
}
