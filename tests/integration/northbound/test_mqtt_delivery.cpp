// Scenario: a forwarder publishes everything committed, in bounded QoS 1 batches, and the
// cursor follows the broker's acknowledgements.
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "forwarder_test_helpers.hpp"
#include "gridgate/northbound/encoding.hpp"
#include "gridgate/testing/memory_outbox.hpp"
#include "gridgate/testing/mosquitto.hpp"
#include "gridgate/testing/recording_logger.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"

using namespace gridgate;
using namespace gridgate::testing;
using namespace gg_northbound_test;
using gridgate::northbound::MqttForwarder;

namespace {
const std::string readings_topic = "gridgate/gw-test/readings";
}

TEST_CASE("every committed reading reaches a subscriber as contract JSON and the cursor ends at the last seq") {
    TempDir dir("gg-nb-delivery");
    Mosquitto broker(dir.path());
    MqttCapture capture(dir.path(), broker.port(), {"gridgate/#"});
    capture.wait_ready();

    MemoryOutbox outbox;
    outbox.append(make_readings(1234));  // many more than the window (4 x 100) holds
    SystemClock clock;
    RecordingLogger logger;
    MqttForwarder forwarder(test_options(broker.port()), outbox, clock, logger);
    forwarder.start();
    REQUIRE(wait_until([&] { return forwarder.stats().cursor == 1234; }, long_wait));

    // New commits are picked up when the store says so.
    outbox.append(make_readings(150, "meter-2"));
    forwarder.notify_new_data();
    REQUIRE(wait_until([&] { return forwarder.stats().cursor == 1384; }, long_wait));
    REQUIRE(capture.wait_for([](const auto& m) { return delivered_seqs(m, readings_topic).size() == 1384; }));

    // Each batch is exactly the encoding of the Outbox slice it names, at most 100 long.
    const auto batches = payloads_on(capture.messages(), readings_topic);
    std::uint64_t expected_first = 1;
    for (const auto& message : capture.messages()) {
        if (message.topic != readings_topic) continue;
        const auto batch = nlohmann::json::parse(message.payload);
        const auto first = batch["first_seq"].get<std::uint64_t>();
        const auto count = batch["count"].get<std::size_t>();
        CHECK(first == expected_first);  // in order, no gap, no repeat in a clean run
        CHECK(count <= 100);
        const auto slice = outbox.read_after(first - 1, count);
        CHECK(message.payload == northbound::encode_readings_batch("gw-test", slice));
        expected_first = batch["last_seq"].get<std::uint64_t>() + 1;
    }
    CHECK(expected_first == 1385);

    const auto history = outbox.cursor_history("mqtt");
    REQUIRE_FALSE(history.empty());
    CHECK(std::is_sorted(history.begin(), history.end()));
    CHECK(history.back() == 1384);
    CHECK(outbox.cursor("mqtt") == 1384);

    const auto stats = forwarder.stats();
    CHECK(stats.connected);
    CHECK(stats.connects == 1);
    CHECK(stats.batches_published == batches.size());
    CHECK(stats.batches_acked == stats.batches_published);
    CHECK(stats.readings_acked == 1384);
    CHECK(stats.resent_batches == 0);
    CHECK(stats.inflight == 0);
    CHECK(logger.count("[mqtt] connected to tcp://127.0.0.1:" + std::to_string(broker.port())) == 1);
    forwarder.stop();
    CHECK_FALSE(forwarder.stats().connected);
}

TEST_CASE("the cursor does not move until the broker acknowledges, and the window bounds what is in flight") {
    TempDir dir("gg-nb-ack");
    Mosquitto broker(dir.path());
    MemoryOutbox outbox;
    outbox.append(make_readings(10));
    SystemClock clock;
    auto options = test_options(broker.port());
    options.inflight_batches = 2;
    MqttForwarder forwarder(options, outbox, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return forwarder.stats().cursor == 10; }, long_wait));

    // A frozen broker still takes bytes into its socket buffer, but sends no PUBACK.
    broker.process()->signal(SIGSTOP);
    const auto before = forwarder.stats();
    outbox.append(make_readings(450));
    forwarder.notify_new_data();
    REQUIRE(wait_until([&] { return forwarder.stats().batches_published >= before.batches_published + 2; },
                       long_wait));
    const auto frozen = forwarder.stats();
    CHECK(frozen.batches_published == before.batches_published + 2);  // the window is full
    CHECK(frozen.inflight == 2);
    CHECK(frozen.batches_acked == before.batches_acked);
    CHECK(frozen.cursor == 10);
    CHECK(outbox.cursor("mqtt") == 10);
    CHECK(outbox.cursor_history("mqtt").back() == 10);

    broker.process()->signal(SIGCONT);
    REQUIRE(wait_until([&] { return forwarder.stats().cursor == 460; }, long_wait));
    CHECK(forwarder.stats().batches_acked == forwarder.stats().batches_published);
}

TEST_CASE("a forwarder resumes after the cursor it finds in the Outbox") {
    TempDir dir("gg-nb-resume");
    Mosquitto broker(dir.path());
    MqttCapture capture(dir.path(), broker.port(), {readings_topic});
    capture.wait_ready();
    MemoryOutbox outbox;
    outbox.append(make_readings(300));
    outbox.set_cursor("mqtt", 120);  // a previous run got this far
    SystemClock clock;
    MqttForwarder forwarder(test_options(broker.port()), outbox, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return forwarder.stats().cursor == 300; }, long_wait));
    REQUIRE(capture.wait_for([](const auto& m) { return delivered_seqs(m, readings_topic).size() == 180; }));
    const auto seqs = delivered_seqs(capture.messages(), readings_topic);
    CHECK(*seqs.begin() == 121);
    CHECK(*seqs.rbegin() == 300);
}

TEST_CASE("a custom sink name and topic prefix are honoured") {
    TempDir dir("gg-nb-names");
    Mosquitto broker(dir.path());
    MqttCapture capture(dir.path(), broker.port(), {"fleet/eu/#"});
    capture.wait_ready();
    MemoryOutbox outbox;
    outbox.append(make_readings(5));
    SystemClock clock;
    auto options = test_options(broker.port(), "site-9");
    options.topic_prefix = "fleet/eu";
    options.sink_name = "mqtt-secondary";
    MqttForwarder forwarder(options, outbox, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return outbox.cursor("mqtt-secondary") == 5; }, long_wait));
    CHECK(outbox.cursor("mqtt") == 0);
    REQUIRE(capture.wait_for([](const auto& m) { return delivered_seqs(m, "fleet/eu/site-9/readings").size() == 5; }));
}

TEST_CASE("a stopped forwarder can be started again and continues after the cursor") {
    TempDir dir("gg-nb-restart-fwd");
    Mosquitto broker(dir.path());
    MqttCapture capture(dir.path(), broker.port(), {"gridgate/#"});
    capture.wait_ready();
    MemoryOutbox outbox;
    outbox.append(make_readings(50));
    SystemClock clock;
    MqttForwarder forwarder(test_options(broker.port()), outbox, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return forwarder.stats().cursor == 50; }, long_wait));
    forwarder.stop();

    outbox.append(make_readings(30, "meter-2"));
    forwarder.start();
    REQUIRE(wait_until([&] { return forwarder.stats().cursor == 80; }, long_wait));
    CHECK(forwarder.stats().connects == 2);
    REQUIRE(capture.wait_for([](const auto& m) { return delivered_seqs(m, readings_topic).size() == 80; }));
    CHECK(forwarder.stats().resent_batches == 0);
    const auto births = [](const auto& m) {
        int n = 0;
        for (const auto& status : payloads_on(m, "gridgate/gw-test/status")) n += status["state"] == "online";
        return n;
    };
    REQUIRE(capture.wait_for([&](const auto& m) { return births(m) == 2; }));
}

TEST_CASE("stop with a silent broker gives up on the drain and leaves the cursor where the acks were") {
    TempDir dir("gg-nb-stop");
    Mosquitto broker(dir.path());
    MemoryOutbox outbox;
    outbox.append(make_readings(20));
    SystemClock clock;
    RecordingLogger logger;
    MqttForwarder forwarder(test_options(broker.port()), outbox, clock, logger);
    forwarder.start();
    REQUIRE(wait_until([&] { return forwarder.stats().cursor == 20; }, long_wait));

    broker.process()->signal(SIGSTOP);
    outbox.append(make_readings(300));
    forwarder.notify_new_data();
    REQUIRE(wait_until([&] { return forwarder.stats().inflight == 3; }, long_wait));
    forwarder.stop(std::chrono::milliseconds(200));  // returns although no PUBACK will come
    CHECK_FALSE(forwarder.stats().connected);
    CHECK(forwarder.stats().cursor == 20);
    CHECK(outbox.cursor("mqtt") == 20);
    broker.process()->signal(SIGCONT);
}
