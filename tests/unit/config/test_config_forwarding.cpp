// The store quota, forwarding limits and point priorities: defaults, accepted forms and
// the exact messages for mistakes.
#include <catch2/catch.hpp>

#include "config_test_support.hpp"

using namespace gridgate::gateway;
using namespace gridgate::gateway::test;
using namespace std::chrono_literals;
using Issues = std::vector<std::string>;

namespace {
const std::string one_meter = "meters:\n  - {id: jem1, host: 10.0.0.11, points: [{name: p, ref: 40001}]}\n";
const std::string header = "gateway: {id: site-01}\n";

GatewayConfig ok(const std::string& text) {
    const auto r = parse_config(text, "site.yaml");
    for (const auto& i : r.issues) INFO(i.to_string());
    REQUIRE(r.issues.empty());
    return *r.config;
}
}  // namespace

TEST_CASE("quota, age, policy and pending bound have documented defaults") {
    const auto c = ok(header + one_meter);
    CHECK(c.store.quota_bytes == 0);
    CHECK(c.store.max_age == 0s);
    CHECK(c.store.quota_policy == "drop_oldest");
    CHECK(c.store.max_pending_readings == 200'000);
    CHECK(c.mqtt.max_messages_per_s == 0);
    CHECK(c.mqtt.max_bytes_per_s == 0);
    CHECK_FALSE(c.mqtt.live_lane_threshold.has_value());
    CHECK(c.meters[0].points[0].priority == PointPriority::normal);
}

TEST_CASE("sizes take plain bytes or decimal and binary units") {
    const auto c = ok(header +
                      "store: {quota_bytes: 512MiB, max_age: 90d, quota_policy: stop_low_priority, "
                      "max_pending_readings: 50000}\n"
                      "mqtt: {max_messages_per_s: 20, max_bytes_per_s: 64kB, live_lane_threshold: 0}\n" +
                      "meters:\n  - {id: jem1, host: 10.0.0.11, points: [{name: p, ref: 40001, priority: high}, "
                      "{name: q, ref: 30001, priority: low}]}\n");
    CHECK(c.store.quota_bytes == 512ULL << 20);
    CHECK(c.store.max_age == std::chrono::hours(90 * 24));
    CHECK(c.store.quota_policy == "stop_low_priority");
    CHECK(c.store.max_pending_readings == 50'000);
    CHECK(c.mqtt.max_messages_per_s == 20);
    CHECK(c.mqtt.max_bytes_per_s == 64'000);
    REQUIRE(c.mqtt.live_lane_threshold.has_value());
    CHECK(*c.mqtt.live_lane_threshold == 0);
    CHECK(c.meters[0].points[0].priority == PointPriority::high);
    CHECK(c.meters[0].points[1].priority == PointPriority::low);
    CHECK(ok(header + "store: {quota_bytes: 2000000}\n" + one_meter).store.quota_bytes == 2'000'000);
    CHECK(ok(header + "store: {quota_bytes: 1GB}\n" + one_meter).store.quota_bytes == 1'000'000'000);
}

TEST_CASE("a malformed size is refused with the accepted forms") {
    CHECK(issues_of(header + "store: {quota_bytes: 5 GB}\n" + one_meter) ==
          Issues{"site.yaml:2: store.quota_bytes: must be a size between 0 and 1099511627776 bytes, as a number of "
                 "bytes or with a unit (kB, MB, GB, KiB, MiB, GiB), got 5 GB"});
    CHECK(issues_of(header + "mqtt: {max_bytes_per_s: lots}\n" + one_meter) ==
          Issues{"site.yaml:2: mqtt.max_bytes_per_s: must be a size between 0 and 1000000000 bytes, as a number of "
                 "bytes or with a unit (kB, MB, GB, KiB, MiB, GiB), got lots"});
}

TEST_CASE("a quota too small to hold a day of one meter is refused") {
    CHECK(issues_of(header + "store: {quota_bytes: 64kB}\n" + one_meter) ==
          Issues{"site.yaml:2: store.quota_bytes: must be 0 (no quota) or at least 1MiB, got 64kB"});
}

TEST_CASE("an unknown quota policy or priority names the choices") {
    CHECK(issues_of(header + "store: {quota_policy: drop_newest}\n" + one_meter) ==
          Issues{"site.yaml:2: store.quota_policy: must be one of drop_oldest or stop_low_priority, got drop_newest"});
    CHECK(issues_of(header + "meters:\n  - {id: jem1, host: 10.0.0.11, points: [{name: p, ref: 40001, priority: "
                             "urgent}]}\n") ==
          Issues{"site.yaml:3: meters[0].points[0].priority: must be one of high, normal or low, got urgent"});
}

TEST_CASE("rates out of range are refused") {
    CHECK(issues_of(header + "mqtt: {max_messages_per_s: -1}\n" + one_meter) ==
          Issues{"site.yaml:2: mqtt.max_messages_per_s: must be an integer between 0 and 1000000, got -1"});
}
