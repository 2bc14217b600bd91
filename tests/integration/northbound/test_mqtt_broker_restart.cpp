// Scenario: the broker crashes while batches are in flight and unacknowledged, more data
// is committed while it is down, and it comes back on the same port. The forwarder must
// reconnect on its own and resend from the cursor: the consumer sees every seq at least
// once, and the cursor never claims a batch the broker did not acknowledge.
#include <signal.h>

#include <catch2/catch.hpp>

#include "forwarder_test_helpers.hpp"
#include "gridgate/testing/memory_outbox.hpp"
#include "gridgate/testing/mosquitto.hpp"
#include "gridgate/testing/recording_logger.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"

using namespace gridgate;
using namespace gridgate::testing;
using namespace gg_northbound_test;
using gridgate::northbound::MqttForwarder;

TEST_CASE("after a broker crash mid-stream the forwarder reconnects and resends from the cursor") {
    TempDir dir("gg-nb-restart");
    // The consumer's persistent session (and its subscription) must survive the crash, so
    // the broker saves its database on every change; messages published while the
    // consumer is still reconnecting are then queued for it, as for a real head-end.
    MosquittoOptions broker_options;
    broker_options.persistence = true;
    broker_options.extra_config = {"autosave_interval 1", "autosave_on_changes true"};
    Mosquitto broker(dir.path(), broker_options);
    MqttCaptureOptions capture_options;
    capture_options.client_id = "gg-test-head-end";
    capture_options.persistent_session = true;
    const std::string topic = "gridgate/gw-test/readings";
    MqttCapture capture(dir.path(), broker.port(), {topic}, capture_options);
    capture.wait_ready();

    MemoryOutbox outbox;
    outbox.append(make_readings(500));
    SystemClock clock;
    RecordingLogger logger;
    MqttForwarder forwarder(test_options(broker.port()), outbox, clock, logger);
    forwarder.start();
    REQUIRE(wait_until([&] { return forwarder.stats().cursor == 500; }, long_wait));
    REQUIRE(capture.wait_for([&](const auto& m) { return has_all_seqs(delivered_seqs(m, topic), 1, 500); }));

    // Freeze the broker so the next batches are surely in flight without PUBACK, then crash it.
    broker.process()->signal(SIGSTOP);
    const auto before = forwarder.stats();
    outbox.append(make_readings(400, "meter-2"));
    forwarder.notify_new_data();
    REQUIRE(wait_until([&] { return forwarder.stats().inflight == 4; }, long_wait));
    CHECK(forwarder.stats().cursor == 500);
    broker.kill();
    REQUIRE(wait_until([&] { return !forwarder.stats().connected; }, long_wait));
    CHECK(forwarder.stats().cursor == 500);  // nothing unacknowledged was counted as delivered
    CHECK(outbox.cursor("mqtt") == 500);

    outbox.append(make_readings(300, "meter-3"));  // committed while the broker is away
    forwarder.notify_new_data();
    broker.start();

    REQUIRE(wait_until([&] { return forwarder.stats().cursor == 1200; }, long_wait));
    if (!capture.wait_for([&](const auto& m) { return has_all_seqs(delivered_seqs(m, topic), 1, 1200); }, long_wait))
        FAIL("consumer is missing seqs; mosquitto_sub log:\n" << capture.log_text() << "\nbroker log:\n"
                                                              << broker.log_text());

    const auto stats = forwarder.stats();
    CHECK(stats.connection_losses >= 1);
    CHECK(stats.connects >= 2);
    CHECK(stats.resent_batches >= 4);  // the four frozen batches went out again
    CHECK(stats.batches_published > before.batches_published);
    CHECK(logger.count("[mqtt] connection to") >= 1);
    const auto history = outbox.cursor_history("mqtt");
    CHECK(std::is_sorted(history.begin(), history.end()));
    CHECK(history.back() == 1200);
}
