// Scenario: the retained status topic tells consumers whether the gateway is online, and
// whether it went away cleanly.
#include <catch2/catch.hpp>
#include <regex>

#include "forwarder_test_helpers.hpp"
#include "gridgate/testing/child_process.hpp"
#include "gridgate/testing/memory_outbox.hpp"
#include "gridgate/testing/mosquitto.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"

using namespace gridgate;
using namespace gridgate::testing;
using namespace gg_northbound_test;
using gridgate::northbound::MqttForwarder;

namespace {
const std::string status_topic = "gridgate/gw-test/status";
const std::regex iso8601_us(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
}  // namespace

TEST_CASE("the birth is retained on connect and a clean stop leaves a retained clean offline") {
    TempDir dir("gg-nb-status");
    Mosquitto broker(dir.path());
    MemoryOutbox outbox;
    FakeClock clock(1'700'000'000'000'000);  // 2023-11-14T22:13:20Z
    MqttForwarder forwarder(test_options(broker.port()), outbox, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return forwarder.stats().connected; }, long_wait));

    // A consumer arriving afterwards learns the state from the retained message.
    MqttCapture late(dir.path(), broker.port(), {status_topic});
    late.wait_ready();
    REQUIRE(late.wait_for([](const auto& m) { return find_status(m, status_topic, "online", {}, true).has_value(); }));
    const auto birth = *find_status(late.messages(), status_topic, "online", {}, true);
    CHECK(birth["gateway"] == "gw-test");
    CHECK(birth["ts"] == "2023-11-14T22:13:20.000000Z");

    clock.advance(std::chrono::seconds(5));
    forwarder.stop();
    REQUIRE(late.wait_for([](const auto& m) { return find_status(m, status_topic, "offline", true).has_value(); }));
    CHECK((*find_status(late.messages(), status_topic, "offline", true))["ts"] == "2023-11-14T22:13:25.000000Z");

    MqttCapture after(dir.path(), broker.port(), {status_topic});
    after.wait_ready();
    REQUIRE(after.wait_for([](const auto& m) { return find_status(m, status_topic, "offline", true, true).has_value(); }));
    CHECK_FALSE(find_status(after.messages(), status_topic, "online").has_value());
    // The DISCONNECT reached the broker: no last will replaced the clean goodbye.
    CHECK_FALSE(find_status(after.messages(), status_topic, "offline", false).has_value());
    CHECK_FALSE(find_status(late.messages(), status_topic, "offline", false).has_value());
}

TEST_CASE("status details are published retained and repeated in the next birth") {
    TempDir dir("gg-nb-details");
    Mosquitto broker(dir.path());
    MqttCapture capture(dir.path(), broker.port(), {status_topic});
    capture.wait_ready();
    MemoryOutbox outbox;
    SystemClock clock;
    MqttForwarder forwarder(test_options(broker.port()), outbox, clock, null_logger());
    CHECK_THROWS_AS(forwarder.publish_status_details("[not an object]"), std::invalid_argument);
    forwarder.start();
    REQUIRE(capture.wait_for([](const auto& m) { return find_status(m, status_topic, "online").has_value(); }));
    forwarder.publish_status_details(R"({"backlog":{"readings":7},"version":"0.1.0"})");
    const auto with_details = [](const auto& m) {
        for (const auto& status : payloads_on(m, status_topic))
            if (status.contains("backlog") && status["backlog"]["readings"] == 7 && status["state"] == "online")
                return true;
        return false;
    };
    REQUIRE(capture.wait_for(with_details));
    const auto last = payloads_on(capture.messages(), status_topic).back();
    CHECK(std::regex_match(last["ts"].get<std::string>(), iso8601_us));

    // After a broker restart the new birth carries the same details.
    capture.stop();
    broker.stop();
    broker.start();
    MqttCapture again(dir.path(), broker.port(), {status_topic});
    again.wait_ready();
    REQUIRE(wait_until([&] { return forwarder.stats().connects >= 2; }, long_wait));
    REQUIRE(again.wait_for(with_details));
}

TEST_CASE("the last will announces an unclean offline when the forwarder's process dies") {
    TempDir dir("gg-nb-will");
    Mosquitto broker(dir.path());
    const std::string topic = "gridgate/gw-will/status";
    MqttCapture capture(dir.path(), broker.port(), {topic});
    capture.wait_ready();

    ChildProcess gateway({GG_FORWARDER_PROBE, std::to_string(broker.port()), "gw-will"}, dir.file("probe.log"));
    if (!capture.wait_for([&](const auto& m) { return find_status(m, topic, "online").has_value(); }, long_wait))
        FAIL("no birth from the probe process; its log:\n" << gateway.log_text());
    CHECK_FALSE(find_status(capture.messages(), topic, "offline").has_value());

    gateway.kill();  // no DISCONNECT: the broker must publish the will
    REQUIRE(capture.wait_for([&](const auto& m) { return find_status(m, topic, "offline", false).has_value(); },
                             long_wait));
    CHECK((*find_status(capture.messages(), topic, "offline", false))["gateway"] == "gw-will");

    MqttCapture after(dir.path(), broker.port(), {topic});
    after.wait_ready();
    REQUIRE(after.wait_for([&](const auto& m) { return find_status(m, topic, "offline", false, true).has_value(); }));
}
