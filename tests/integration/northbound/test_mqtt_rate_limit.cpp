// Scenario: a sink on a metered link is capped in messages/s and bytes/s. A backlog
// drain against a real broker must respect the caps. Only lower bounds on elapsed time
// are asserted (a loaded machine can only make a drain slower), and counts over measured
// intervals are checked against what the token bucket allows.
#include <catch2/catch.hpp>
#include <chrono>
#include <utility>
#include <vector>

#include "forwarder_test_helpers.hpp"
#include "gridgate/testing/memory_outbox.hpp"
#include "gridgate/testing/mosquitto.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"

using namespace gridgate;
using namespace gridgate::testing;
using namespace gg_northbound_test;
using gridgate::northbound::MqttForwarder;
using Steady = std::chrono::steady_clock;

namespace {
const std::string readings_topic = "gridgate/gw-test/readings";

double seconds(Steady::duration d) { return std::chrono::duration<double>(d).count(); }
}  // namespace

TEST_CASE("a messages-per-second limit paces a backlog drain") {
    TempDir dir("gg-nb-rate-msgs");
    Mosquitto broker(dir.path());
    MqttCapture capture(dir.path(), broker.port(), {readings_topic});
    capture.wait_ready();
    MemoryOutbox outbox;
    outbox.append(make_readings(600));
    SystemClock clock;
    auto options = test_options(broker.port());
    options.batch_max_readings = 10;  // 60 batches
    options.max_messages_per_s = 20;  // burst: 2 messages
    options.live_lane_threshold = 0;
    MqttForwarder forwarder(options, outbox, clock, null_logger());

    // Samples of (time before the query, time after, batches published) while it drains.
    struct Sample {
        Steady::time_point before, after;
        std::uint64_t published;
    };
    std::vector<Sample> samples;
    const auto started = Steady::now();
    forwarder.start();
    REQUIRE(wait_until(
        [&] {
            const auto before = Steady::now();
            const auto stats = forwarder.stats();
            samples.push_back({before, Steady::now(), stats.batches_published});
            return stats.cursor == 600;
        },
        long_wait, std::chrono::milliseconds(50)));
    const double elapsed = seconds(Steady::now() - started);

    const auto stats = forwarder.stats();
    CHECK(stats.batches_published == 60);
    CHECK(stats.rate_limit_waits > 0);
    // 60 messages at 20/s after a burst of 2 cannot take less than 58 / 20 s.
    CHECK(elapsed >= 2.5);
    // In any measured interval no more went out than the bucket allows: the burst, the
    // rate over the interval, and one message in progress at each end.
    for (std::size_t i = 0; i < samples.size(); ++i)
        for (std::size_t j = i + 1; j < samples.size(); ++j) {
            const double span = seconds(samples[j].after - samples[i].before);
            INFO("interval " << i << ".." << j << " of " << span << " s");
            CHECK(samples[j].published - samples[i].published <= 2 + 20 * span + 2);
        }
    REQUIRE(capture.wait_for([](const auto& m) { return has_all_seqs(delivered_seqs(m, readings_topic), 1, 600); }));
}

TEST_CASE("a bytes-per-second limit paces a backlog drain") {
    TempDir dir("gg-nb-rate-bytes");
    Mosquitto broker(dir.path());
    MqttCapture capture(dir.path(), broker.port(), {readings_topic});
    capture.wait_ready();
    MemoryOutbox outbox;
    outbox.append(make_readings(1000));
    SystemClock clock;
    auto options = test_options(broker.port());
    options.batch_max_readings = 50;
    options.max_bytes_per_s = 50'000;  // burst: 5000 bytes
    options.live_lane_threshold = 0;
    MqttForwarder forwarder(options, outbox, clock, null_logger());
    const auto started = Steady::now();
    forwarder.start();
    REQUIRE(wait_until([&] { return forwarder.stats().cursor == 1000; }, long_wait));
    const double elapsed = seconds(Steady::now() - started);
    REQUIRE(capture.wait_for([](const auto& m) { return has_all_seqs(delivered_seqs(m, readings_topic), 1, 1000); }));

    // What the limiter counted: payload plus topic of every batch.
    double total = 0;
    double largest = 0;
    for (const auto& message : capture.messages()) {
        if (message.topic != readings_topic) continue;
        const double size = static_cast<double>(message.payload.size() + message.topic.size());
        total += size;
        largest = std::max(largest, size);
    }
    INFO("sent " << total << " bytes in " << elapsed << " s");
    CHECK(total > 100'000);  // enough to make the bound mean something
    // The burst and the last message's debt are the only bytes not paid for in time.
    CHECK(elapsed >= (total - 5000 - largest) / 50'000 * 0.99);
    CHECK(forwarder.stats().rate_limit_waits > 0);
}
