// Scenario: after an outage the sink has a big backlog. Fresh readings must not wait
// behind it: a live lane carries them while the backlog drains, its cursors survive a
// restart of the forwarder, and the lanes merge into the single cursor at the end. The
// drains are rate-limited so that "during the drain" lasts long enough to act in.
#include <catch2/catch.hpp>

#include "forwarder_test_helpers.hpp"
#include "gridgate/testing/memory_outbox.hpp"
#include "gridgate/testing/mosquitto.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"

using namespace gridgate;
using namespace gridgate::testing;
using namespace gg_northbound_test;
using gridgate::northbound::MqttForwarder;

namespace {

const std::string readings_topic = "gridgate/gw-test/readings";

// Batches of 100 at 20 messages/s: a 6000-reading backlog takes about three seconds.
northbound::MqttOptions drain_options(std::uint16_t port) {
    auto options = test_options(port);
    options.batch_max_readings = 100;
    options.inflight_batches = 4;
    options.max_messages_per_s = 20;
    return options;  // live lane above 5 x 100 readings waiting
}

}  // namespace

TEST_CASE("readings committed during a backlog drain are delivered before the backlog finishes") {
    TempDir dir("gg-nb-live");
    Mosquitto broker(dir.path());
    MqttCapture capture(dir.path(), broker.port(), {readings_topic});
    capture.wait_ready();
    MemoryOutbox outbox;
    outbox.append(make_readings(6000));
    SystemClock clock;
    MqttForwarder forwarder(drain_options(broker.port()), outbox, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return forwarder.stats().live_lane_active && forwarder.stats().batches_published >= 5; },
                       long_wait));
    CHECK(outbox.cursor("mqtt.live_start") == 6000);  // durable before the lane publishes

    // 6001..6050, taken after the backlog (timestamps 6000 s later)
    outbox.append(make_readings(50, "meter-live", 1'700'000'000'000'000 + 6'000'000'000));
    forwarder.notify_new_data();
    REQUIRE(wait_until([&] { return outbox.cursor("mqtt.live") == 6050; }, long_wait));

    // Mid-drain: the backlog statistics see both lanes.
    const auto mid = forwarder.backlog_stats();
    CHECK(mid.live_lane_active);
    CHECK(mid.live_start == 6000);
    CHECK(mid.live_cursor == 6050);
    CHECK(mid.cursor < 6000);
    CHECK(mid.readings == 6000 - mid.cursor);  // the live lane has nothing unacknowledged
    CHECK(mid.last_seq == 6050);
    CHECK(mid.oldest_ts_us == outbox.read_after(mid.cursor, 1).at(0).reading.ts_us);
    CHECK(mid.average_bytes_per_reading > 50);
    CHECK(mid.estimated_bytes > mid.readings * 50);
    CHECK(mid.drain_readings_per_s > 0);
    CHECK(mid.drain_bytes_per_s > mid.drain_readings_per_s);

    REQUIRE(wait_until([&] { return outbox.cursor("mqtt") == 6050; }, long_wait));
    if (!capture.wait_for([](const auto& m) { return has_all_seqs(delivered_seqs(m, readings_topic), 1, 6050); },
                          long_wait))
        FAIL("the consumer is missing seqs");
    const auto messages = capture.messages();
    const long live_batch = first_batch_with(messages, readings_topic, 6001);
    const long backlog_end = first_batch_with(messages, readings_topic, 6000);
    INFO("live batch #" << live_batch << ", last backlog batch #" << backlog_end);
    CHECK(live_batch >= 0);
    CHECK(live_batch < backlog_end);

    // The lanes merged: one cursor at the last seq, nothing left.
    const auto stats = forwarder.stats();
    CHECK_FALSE(stats.live_lane_active);
    CHECK(stats.live_lanes_opened == 1);
    CHECK(stats.cursor == 6050);
    const auto done = forwarder.backlog_stats();
    CHECK_FALSE(done.live_lane_active);
    CHECK(done.readings == 0);
    CHECK(done.estimated_bytes == 0);
    CHECK(done.oldest_ts_us == 0);
    CHECK(done.cursor == 6050);
    const auto history = outbox.cursor_history("mqtt");
    CHECK(std::is_sorted(history.begin(), history.end()));
}

TEST_CASE("a restarted forwarder resumes both lanes from their durable cursors") {
    TempDir dir("gg-nb-live-restart");
    Mosquitto broker(dir.path());
    MqttCapture capture(dir.path(), broker.port(), {readings_topic});
    capture.wait_ready();
    MemoryOutbox outbox;
    outbox.append(make_readings(4000));
    SystemClock clock;
    {
        MqttForwarder first(drain_options(broker.port()), outbox, clock, null_logger());
        first.start();
        REQUIRE(wait_until([&] { return first.stats().live_lane_active && first.stats().batches_published >= 4; },
                           long_wait));
        outbox.append(make_readings(300, "meter-live"));  // 4001..4300
        first.notify_new_data();
        REQUIRE(wait_until([&] { return outbox.cursor("mqtt.live") == 4300; }, long_wait));
        first.stop();
    }
    const std::uint64_t cursor = outbox.cursor("mqtt");
    INFO("backlog cursor at restart: " << cursor);
    REQUIRE(cursor < 4000);  // the backlog lane was cut short
    CHECK(outbox.cursor("mqtt.live_start") == 4000);
    CHECK(outbox.cursor("mqtt.live") == 4300);

    outbox.append(make_readings(100, "meter-late"));  // 4301..4400, committed while stopped
    MqttForwarder second(drain_options(broker.port()), outbox, clock, null_logger());
    const auto before = second.backlog_stats();  // from the durable cursors, not connected
    CHECK(before.live_lane_active);
    CHECK(before.readings == (4000 - cursor) + 100);
    CHECK(before.average_bytes_per_reading > 50);  // sampled from the Outbox
    second.start();
    REQUIRE(wait_until([&] { return outbox.cursor("mqtt") == 4400; }, long_wait));
    CHECK(second.stats().live_lanes_opened == 0);  // it resumed the lane on disk

    SeqTally tally(readings_topic, 4400);
    REQUIRE(capture.wait_for(
        [&](const auto& m) {
            tally.update(m);
            return tally.complete(1, 4400);
        },
        long_wait));
    // The live lane's acknowledged readings were never sent again; anything repeated
    // was in flight at the stop.
    for (std::uint64_t seq = 4001; seq <= 4300; ++seq) CHECK(tally.count(seq) == 1);
    CHECK(tally.duplicates() <= 4 * 100);
}

TEST_CASE("readings dropped by the store (holes in seq) are passed over") {
    TempDir dir("gg-nb-holes");
    Mosquitto broker(dir.path());
    MqttCapture capture(dir.path(), broker.port(), {readings_topic});
    capture.wait_ready();
    MemoryOutbox outbox;
    outbox.append(make_readings(1000));
    REQUIRE(outbox.erase(1, 150) == 150);  // the cursor (0) is below the first remaining seq
    REQUIRE(outbox.erase(401, 600) == 200);
    SystemClock clock;
    auto options = test_options(broker.port());
    options.live_lane_threshold = 0;
    MqttForwarder forwarder(options, outbox, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return outbox.cursor("mqtt") == 1000; }, long_wait));
    REQUIRE(capture.wait_for([](const auto& m) { return delivered_seqs(m, readings_topic).size() == 650; }));
    const auto seqs = delivered_seqs(capture.messages(), readings_topic);
    CHECK(has_all_seqs(seqs, 151, 400));
    CHECK(has_all_seqs(seqs, 601, 1000));
    CHECK(*seqs.begin() == 151);
    CHECK(seqs.count(500) == 0);
    const auto history = outbox.cursor_history("mqtt");
    CHECK(std::is_sorted(history.begin(), history.end()));
    CHECK(forwarder.backlog_stats().readings == 0);
}

TEST_CASE("a backlog lane whose tail the store dropped still completes and merges") {
    TempDir dir("gg-nb-holes-lane");
    Mosquitto broker(dir.path());
    MqttCapture capture(dir.path(), broker.port(), {readings_topic});
    capture.wait_ready();
    MemoryOutbox outbox;
    outbox.append(make_readings(3000));
    outbox.erase(2801, 3000);  // the end of what will be the backlog lane
    SystemClock clock;
    MqttForwarder forwarder(test_options(broker.port()), outbox, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return outbox.cursor("mqtt") == 3000; }, long_wait));
    CHECK(outbox.cursor("mqtt.live_start") == 3000);
    CHECK_FALSE(forwarder.stats().live_lane_active);

    outbox.append(make_readings(100, "meter-2"));  // the merged lane goes on
    forwarder.notify_new_data();
    REQUIRE(wait_until([&] { return outbox.cursor("mqtt") == 3100; }, long_wait));
    REQUIRE(capture.wait_for([](const auto& m) {
        const auto seqs = delivered_seqs(m, readings_topic);
        return has_all_seqs(seqs, 1, 2800) && has_all_seqs(seqs, 3001, 3100);
    }));
    CHECK(delivered_seqs(capture.messages(), readings_topic).size() == 2900);
}
