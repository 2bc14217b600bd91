// MqttForwarder refuses unusable options at construction (a setup error), before any
// connection is attempted.
#include <catch2/catch.hpp>
#include <limits>
#include <stdexcept>

#include "gridgate/northbound/mqtt_forwarder.hpp"
#include "gridgate/testing/memory_outbox.hpp"

using gridgate::northbound::MqttForwarder;
using gridgate::northbound::MqttOptions;

namespace {
MqttOptions valid() {
    MqttOptions options;
    options.gateway_id = "gw";
    return options;
}
void construct(const MqttOptions& options) {
    gridgate::testing::MemoryOutbox outbox;
    gridgate::FakeClock clock;
    MqttForwarder forwarder(options, outbox, clock, gridgate::null_logger());
}
}  // namespace

TEST_CASE("valid options construct without connecting") {
    CHECK_NOTHROW(construct(valid()));
    gridgate::testing::MemoryOutbox outbox;
    gridgate::FakeClock clock;
    MqttForwarder forwarder(valid(), outbox, clock, gridgate::null_logger());
    const auto stats = forwarder.stats();
    CHECK_FALSE(stats.connected);
    CHECK(stats.connects == 0);
    CHECK(stats.last_error.empty());
    forwarder.stop();  // never started: nothing to do
}

TEST_CASE("unusable options are refused with std::invalid_argument") {
    auto options = valid();
    options.gateway_id.clear();
    CHECK_THROWS_AS(construct(options), std::invalid_argument);

    options = valid();
    options.topic_prefix = "grid/#";
    CHECK_THROWS_AS(construct(options), std::invalid_argument);

    options = valid();
    options.batch_max_readings = 0;
    CHECK_THROWS_AS(construct(options), std::invalid_argument);

    options = valid();
    options.inflight_events = 0;
    CHECK_THROWS_AS(construct(options), std::invalid_argument);

    options = valid();
    options.inflight_batches = 0;
    CHECK_THROWS_AS(construct(options), std::invalid_argument);

    options = valid();
    options.tls.enabled = true;  // without a CA the broker cannot be verified
    CHECK_THROWS_AS(construct(options), std::invalid_argument);

    options = valid();
    options.tls.key_file = "/etc/gridgate/client.key";  // a key without its certificate
    CHECK_THROWS_AS(construct(options), std::invalid_argument);

    options = valid();
    options.sink_name.clear();
    CHECK_THROWS_AS(construct(options), std::invalid_argument);

    options = valid();
    options.max_messages_per_s = -1;
    CHECK_THROWS_AS(construct(options), std::invalid_argument);

    options = valid();
    options.max_bytes_per_s = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(construct(options), std::invalid_argument);

    options = valid();
    options.max_bytes_per_s = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(construct(options), std::invalid_argument);
}

TEST_CASE("rate limits and lane thresholds within range are accepted") {
    auto options = valid();
    options.max_messages_per_s = 0.5;
    options.max_bytes_per_s = 2000;
    options.live_lane_threshold = 0;
    CHECK_NOTHROW(construct(options));
}
