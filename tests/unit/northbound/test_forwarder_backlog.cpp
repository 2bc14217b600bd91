// MqttForwarder::backlog_stats() without a broker: everything comes from the Outbox's
// durable cursors, so `gridgatectl backlog` is right while the uplink is down.
#include <catch2/catch.hpp>

#include "gridgate/northbound/encoding.hpp"
#include "gridgate/northbound/mqtt_forwarder.hpp"
#include "gridgate/testing/memory_outbox.hpp"

using namespace gridgate;
using gridgate::northbound::MqttForwarder;
using gridgate::northbound::MqttOptions;
using gridgate::testing::make_readings;
using gridgate::testing::MemoryOutbox;

namespace {
constexpr TimestampUs t0 = 1'700'000'000'000'000;

MqttOptions options() {
    MqttOptions o;
    o.gateway_id = "gw";
    o.batch_max_readings = 100;
    return o;
}
}  // namespace

TEST_CASE("an empty outbox has no backlog") {
    MemoryOutbox outbox;
    FakeClock clock;
    MqttForwarder forwarder(options(), outbox, clock, null_logger());
    const auto b = forwarder.backlog_stats();
    CHECK(b.readings == 0);
    CHECK(b.estimated_bytes == 0);
    CHECK(b.oldest_ts_us == 0);
    CHECK(b.drain_readings_per_s == 0);
    CHECK_FALSE(b.live_lane_active);
}

TEST_CASE("with one lane the backlog is everything after the cursor") {
    MemoryOutbox outbox;
    outbox.append(make_readings(500));
    outbox.set_cursor("mqtt", 200);
    FakeClock clock;
    MqttForwarder forwarder(options(), outbox, clock, null_logger());
    const auto b = forwarder.backlog_stats();
    CHECK(b.readings == 300);
    CHECK(b.cursor == 200);
    CHECK(b.last_seq == 500);
    CHECK(b.oldest_ts_us == t0 + 200 * 1'000'000);  // seq 201
    CHECK_FALSE(b.live_lane_active);
    // Nothing published yet: the size comes from encoding a sample of what waits.
    const auto sample = outbox.read_after(200, 100);
    const std::string topic = "gridgate/gw/readings";
    const double expected =
        static_cast<double>(northbound::encode_readings_batch("gw", sample).size() + topic.size()) / 100.0;
    CHECK(b.average_bytes_per_reading == Approx(expected));
    CHECK(b.estimated_bytes == static_cast<std::uint64_t>(300 * expected));
}

TEST_CASE("with a live lane open both lanes count, and the live lane's acked readings do not") {
    MemoryOutbox outbox;
    outbox.append(make_readings(1000));                             // the backlog, from t0
    outbox.append(make_readings(300, "live", t0 + 5000'000'000));  // 1001..1300, newer
    outbox.set_cursor("mqtt", 400);
    outbox.set_cursor("mqtt.live_start", 1000);
    outbox.set_cursor("mqtt.live", 1100);
    FakeClock clock;
    MqttForwarder forwarder(options(), outbox, clock, null_logger());
    const auto b = forwarder.backlog_stats();
    CHECK(b.live_lane_active);
    CHECK(b.live_start == 1000);
    CHECK(b.live_cursor == 1100);
    CHECK(b.readings == 600 + 200);
    CHECK(b.oldest_ts_us == t0 + 400 * 1'000'000);  // the backlog lane's head, seq 401

    // A live cursor left from an earlier lane (below the cursor) does not count.
    outbox.set_cursor("mqtt.live", 300);
    CHECK(forwarder.backlog_stats().readings == 600 + 300);
}

TEST_CASE("an interrupted merge is shown as the next start will complete it") {
    MemoryOutbox outbox;
    outbox.append(make_readings(1300));
    outbox.set_cursor("mqtt", 1000);  // the backlog lane reached live_start ...
    outbox.set_cursor("mqtt.live_start", 1000);
    outbox.set_cursor("mqtt.live", 1250);  // ... and the process died before the merge
    FakeClock clock;
    MqttForwarder forwarder(options(), outbox, clock, null_logger());
    const auto b = forwarder.backlog_stats();
    CHECK_FALSE(b.live_lane_active);
    CHECK(b.cursor == 1250);
    CHECK(b.readings == 50);
}

TEST_CASE("readings dropped by quota are not counted") {
    MemoryOutbox outbox;
    outbox.append(make_readings(1000));
    outbox.erase(1, 300);
    FakeClock clock;
    MqttForwarder forwarder(options(), outbox, clock, null_logger());
    const auto b = forwarder.backlog_stats();
    CHECK(b.readings == 700);
    CHECK(b.oldest_ts_us == t0 + 300 * 1'000'000);  // seq 301
}
