// Scenario: the uplink drops again and again in the middle of a batch (a TCP proxy the
// test controls resets the connection after a chosen number of bytes, so the broker sees
// a truncated PUBLISH), while 200,000 readings stream through. The consumer must end up
// with every seq, and the only repeats are batches that were in flight at a cut: at most
// the window (inflight_batches x batch_max_readings readings) per cut.
#include <catch2/catch.hpp>

#include "forwarder_test_helpers.hpp"
#include "gridgate/testing/memory_outbox.hpp"
#include "gridgate/testing/mosquitto.hpp"
#include "gridgate/testing/recording_logger.hpp"
#include "gridgate/testing/tcp_proxy.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"

using namespace gridgate;
using namespace gridgate::testing;
using namespace gg_northbound_test;
using gridgate::northbound::MqttForwarder;

TEST_CASE("a link cut repeatedly mid-batch loses nothing and repeats at most the window per cut") {
    constexpr std::uint64_t total = 200'000;
    constexpr int rounds = 10;
    constexpr std::uint64_t per_round = total / rounds;

    TempDir dir("gg-nb-cuts");
    MosquittoOptions broker_options;
    broker_options.extra_config = {"max_queued_messages 0"};  // never drop for a slow consumer
    Mosquitto broker(dir.path(), broker_options);
    TcpProxy proxy(broker.port());
    const std::string topic = "gridgate/gw-test/readings";
    MqttCapture capture(dir.path(), broker.port(), {topic});  // the consumer bypasses the proxy
    capture.wait_ready();

    MemoryOutbox outbox;
    SystemClock clock;
    RecordingLogger logger(LogLevel::info, /*echo_to_stderr=*/false);
    auto options = test_options(proxy.port());
    options.batch_max_readings = 500;
    options.inflight_batches = 8;
    MqttForwarder forwarder(options, outbox, clock, logger);
    forwarder.start();
    REQUIRE(wait_until([&] { return forwarder.stats().connected; }, long_wait));

    for (int round = 0; round < rounds; ++round) {
        // Each round commits 20,000 readings (about 3 MB of batches) and cuts the link
        // inside them: at a different offset each time, so the cut lands in the middle
        // of a PUBLISH (batches are about 75 kB) rather than between packets.
        const std::uint64_t cut_offset = 150'000 + 37'501 * static_cast<std::uint64_t>(round);
        proxy.cut_after_upstream_bytes(cut_offset);
        outbox.append(make_readings(per_round, "meter-" + std::to_string(round)));
        forwarder.notify_new_data();
        INFO("round " << round);
        REQUIRE(wait_until([&] { return proxy.cuts() == static_cast<std::size_t>(round + 1); }, long_wait));
        REQUIRE(wait_until([&] { return forwarder.stats().connects >= static_cast<std::uint64_t>(round + 2); },
                           long_wait));
    }
    REQUIRE(wait_until([&] { return outbox.cursor("mqtt") == total; }, std::chrono::seconds(60)));

    SeqTally tally(topic, total);
    if (!capture.wait_for(
            [&](const auto& m) {
                tally.update(m);
                return tally.complete(1, total);
            },
            std::chrono::seconds(60)))
        FAIL("the consumer is missing seqs; broker log:\n" << broker.log_text());

    const auto stats = forwarder.stats();
    const std::uint64_t cuts = proxy.cuts();
    INFO("cuts " << cuts << ", connection losses " << stats.connection_losses << ", duplicates "
                 << tally.duplicates() << " readings, resent batches " << stats.resent_batches);
    CHECK(cuts == rounds);
    CHECK(stats.connection_losses == cuts);
    CHECK(tally.distinct() == total);
    // Only what was in flight at a cut can come again.
    CHECK(tally.duplicates() <= cuts * options.inflight_batches * options.batch_max_readings);
    CHECK(stats.resent_batches <= cuts * (options.inflight_batches + 1));
    CHECK(stats.resent_batches > 0);  // the cuts did land mid-stream
    const auto history = outbox.cursor_history("mqtt");
    CHECK(std::is_sorted(history.begin(), history.end()));
    CHECK(forwarder.backlog_stats().readings == 0);
}
