// Scenario: gateway events (recorded in the real store's audit log) reach the head-end on
// <prefix>/<gw>/events, one message each, in id order, across a restart of the gateway,
// with the "mqtt.events" cursor following the broker's PUBACKs, while readings keep
// flowing.
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "forwarder_test_helpers.hpp"
#include "gridgate/northbound/encoding.hpp"
#include "gridgate/store/reading_log.hpp"
#include "gridgate/testing/memory_outbox.hpp"
#include "gridgate/testing/mosquitto.hpp"
#include "gridgate/testing/recording_logger.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"

using namespace gridgate;
using namespace gridgate::testing;
using namespace gg_northbound_test;
using gridgate::northbound::MqttForwarder;
using gridgate::store::ReadingLog;

namespace {

const std::string readings_topic = "gridgate/gw-test/readings";
const std::string events_topic = "gridgate/gw-test/events";
const std::string events_cursor = "mqtt.events";

// The event ids on the events topic in arrival order (repeats included).
std::vector<std::uint64_t> event_ids(const std::vector<MqttMessage>& messages) {
    std::vector<std::uint64_t> ids;
    for (const auto& event : payloads_on(messages, events_topic)) ids.push_back(event["id"].get<std::uint64_t>());
    return ids;
}

// The first arrival of each id, in arrival order (what a consumer deduplicating by
// (gateway, id) keeps).
std::vector<std::uint64_t> first_arrivals(const std::vector<std::uint64_t>& ids) {
    std::vector<std::uint64_t> out;
    std::set<std::uint64_t> seen;
    for (const auto id : ids)
        if (seen.insert(id).second) out.push_back(id);
    return out;
}

void record_time_set(ReadingLog& log, const std::string& meter, int n) {
    log.record_event("dnp3_time_set", R"({"meter":")" + meter + R"(","procedure":"lan","offset_before_ms":)" +
                                          std::to_string(-100 * n) +
                                          R"(,"offset_after_ms":2,"reason":"drift","result":"ok"})");
}

}  // namespace

TEST_CASE("events recorded before and after a gateway restart all arrive, in order, while readings flow") {
    TempDir dir("gg-nb-events");
    Mosquitto broker(dir.path());
    MqttCapture capture(dir.path(), broker.port(), {"gridgate/#"});
    capture.wait_ready();
    const std::string db = dir.file("gw.db").string();
    SystemClock clock;
    RecordingLogger logger;

    std::uint64_t last_event = 0;
    std::uint64_t last_seq = 0;
    {
        auto log = std::make_unique<ReadingLog>(store::ReadingLogOptions{db});
        // Before the forwarder's first start: an old store kind and meter events.
        log->append_audit("disk_full", R"({"since":"2026-11-21T10:00:00.000000Z","duration_s":12})");
        log->record_event("dnp3_restart", R"({"meter":"feeder-1","iin":["device_restart"]})");
        record_time_set(*log, "feeder-2", 1);
        log->append(make_readings(300));

        MqttForwarder forwarder(test_options(broker.port()), *log, *log, clock, logger);
        forwarder.start();
        // Events and readings recorded while it runs, from another thread, as the
        // gateway's pollers would.
        std::thread producer([&] {
            for (int i = 0; i < 15; ++i) {
                log->append(make_readings(40, "meter-" + std::to_string(i)));
                forwarder.notify_new_data();
                record_time_set(*log, "feeder-" + std::to_string(i % 3), i);
                forwarder.notify_new_events();
            }
        });
        producer.join();
        last_event = log->read_events_after(0, 1000).back().id;
        last_seq = log->last_seq();
        REQUIRE(last_event == 18);
        REQUIRE(wait_until([&] { return log->event_cursor(events_cursor) == last_event; }, long_wait));
        REQUIRE(wait_until([&] { return log->cursor("mqtt") == last_seq; }, long_wait));
        CHECK(forwarder.stats().events_cursor == last_event);
        CHECK(forwarder.stats().events_acked == forwarder.stats().events_published);
        forwarder.stop();

        // While the gateway is down.
        log->record_event("dnp3_comm_lost", R"({"meter":"feeder-1"})");
        log->append(make_readings(60, "meter-x"));
    }  // the gateway stops: forwarder and store closed

    auto log = std::make_unique<ReadingLog>(store::ReadingLogOptions{db});
    MqttForwarder forwarder(test_options(broker.port()), *log, *log, clock, logger);
    forwarder.start();
    log->record_event("dnp3_comm_restored", R"({"meter":"feeder-1"})");
    forwarder.notify_new_events();
    log->append_audit("quota_ok", R"({"used_bytes":1,"max_bytes":2,"policy":"drop_oldest"})");  // no notify
    log->append(make_readings(30, "meter-y"));
    forwarder.notify_new_data();
    last_event = log->read_events_after(0, 1000).back().id;
    last_seq = log->last_seq();
    REQUIRE(last_event == 21);
    REQUIRE(wait_until([&] { return log->event_cursor(events_cursor) == last_event; }, long_wait));
    REQUIRE(wait_until([&] { return log->cursor("mqtt") == last_seq; }, long_wait));
    REQUIRE(capture.wait_for([&](const auto& m) {
        const auto ids = event_ids(m);
        return std::set<std::uint64_t>(ids.begin(), ids.end()).size() == last_event &&
               delivered_seqs(m, readings_topic).size() == last_seq;
    }));

    // Every event once (a clean stop left nothing in flight), in id order, exactly as
    // the contract encodes the store's row.
    const auto messages = capture.messages();
    const auto ids = event_ids(messages);
    const auto firsts = first_arrivals(ids);
    CHECK(std::is_sorted(firsts.begin(), firsts.end()));
    CHECK(firsts.size() == last_event);
    CHECK(ids.size() == firsts.size());
    const auto stored = log->read_events_after(0, 1000);
    std::map<std::uint64_t, std::string> expected;
    for (const auto& event : stored) expected[event.id] = northbound::encode_event("gw-test", event);
    for (const auto& message : messages) {
        if (message.topic != events_topic) continue;
        CHECK_FALSE(message.retained);
        const auto id = nlohmann::json::parse(message.payload)["id"].get<std::uint64_t>();
        CHECK(message.payload == expected.at(id));
    }
    const auto first = payloads_on(messages, events_topic).front();
    CHECK(first["kind"] == "disk_full");
    CHECK_FALSE(first.contains("meter"));  // the store's events name no meter
    const auto second = payloads_on(messages, events_topic).at(1);
    CHECK(second["kind"] == "dnp3_restart");
    CHECK(second["meter"] == "feeder-1");

    // Readings and events were both delivered in full.
    CHECK(has_all_seqs(delivered_seqs(messages, readings_topic), 1, last_seq));
    CHECK(logger.count("events after id 18") == 1);  // the restart resumed after the cursor
}

TEST_CASE("an event goes out at once, not behind a rate-limited backlog of readings") {
    TempDir dir("gg-nb-events-backlog");
    Mosquitto broker(dir.path());
    MqttCapture capture(dir.path(), broker.port(), {"gridgate/#"});
    capture.wait_ready();
    ReadingLog log(store::ReadingLogOptions{dir.file("gw.db").string()});
    log.append(make_readings(20'000));
    SystemClock clock;
    auto options = test_options(broker.port());
    options.max_messages_per_s = 40;  // 200 batches of 100: a drain of about 5 s
    options.live_lane_threshold = 0;
    MqttForwarder forwarder(options, log, log, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return log.cursor("mqtt") > 0; }, long_wait));  // the drain is under way

    log.record_event("dnp3_event_overflow", R"({"meter":"feeder-1","class":2})");
    forwarder.notify_new_events();
    REQUIRE(wait_until([&] { return log.event_cursor(events_cursor) == 1; }, long_wait));
    const std::uint64_t cursor_at_event = log.cursor("mqtt");
    CHECK(cursor_at_event < 20'000);  // the event did not wait for the backlog

    // ...and the readings were not held up by it either.
    REQUIRE(wait_until([&] { return log.cursor("mqtt") == 20'000; }, long_wait));
    const auto messages = capture.messages();
    const auto event_at = std::find_if(messages.begin(), messages.end(),
                                       [](const auto& m) { return m.topic == events_topic; });
    REQUIRE(event_at != messages.end());
    CHECK(std::any_of(event_at, messages.end(), [](const auto& m) { return m.topic == readings_topic; }));
    CHECK(forwarder.stats().rate_limit_waits > 0);
}

TEST_CASE("the events cursor moves only on PUBACK, and at most inflight_events are in flight") {
    TempDir dir("gg-nb-events-ack");
    Mosquitto broker(dir.path());
    ReadingLog log(store::ReadingLogOptions{dir.file("gw.db").string()});
    log.record_event("dnp3_restart", R"({"meter":"feeder-1"})");
    SystemClock clock;
    auto options = test_options(broker.port());
    options.inflight_events = 3;
    MqttForwarder forwarder(options, log, log, clock, null_logger());
    forwarder.start();
    REQUIRE(wait_until([&] { return log.event_cursor(events_cursor) == 1; }, long_wait));

    // A frozen broker takes the bytes but sends no PUBACK.
    broker.process()->signal(SIGSTOP);
    for (int i = 0; i < 7; ++i) record_time_set(log, "feeder-2", i);
    forwarder.notify_new_events();
    REQUIRE(wait_until([&] { return forwarder.stats().events_published >= 4; }, long_wait));
    const auto frozen = forwarder.stats();
    CHECK(frozen.events_published == 4);  // the first, then a window of 3
    CHECK(frozen.events_inflight == 3);
    CHECK(frozen.events_cursor == 1);
    CHECK(log.event_cursor(events_cursor) == 1);

    broker.process()->signal(SIGCONT);
    REQUIRE(wait_until([&] { return log.event_cursor(events_cursor) == 8; }, long_wait));
    CHECK(forwarder.stats().events_inflight == 0);
    CHECK(forwarder.stats().events_acked == forwarder.stats().events_published);
}

TEST_CASE("a forwarder without an EventOutbox publishes no events") {
    TempDir dir("gg-nb-events-none");
    Mosquitto broker(dir.path());
    MqttCapture capture(dir.path(), broker.port(), {"gridgate/#"});
    capture.wait_ready();
    MemoryOutbox outbox;
    outbox.append(make_readings(10));
    SystemClock clock;
    MqttForwarder forwarder(test_options(broker.port()), outbox, clock, null_logger());
    forwarder.start();
    forwarder.notify_new_events();  // harmless
    REQUIRE(wait_until([&] { return outbox.cursor("mqtt") == 10; }, long_wait));
    REQUIRE(capture.wait_for([](const auto& m) { return delivered_seqs(m, readings_topic).size() == 10; }));
    CHECK(payloads_on(capture.messages(), events_topic).empty());
    CHECK(forwarder.stats().events_published == 0);
    CHECK(outbox.cursor(events_cursor) == 0);
}
