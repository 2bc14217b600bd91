// ReadingLog as the gateway's event log: EventSink writes audit rows, EventOutbox reads
// them back by id, and an event cursor lives next to the reading cursors without ever
// being mistaken for one.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "gridgate/store/reading_log.hpp"
#include "test_support.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;

TEST_CASE("events: record_event writes an audit row, and read_events_after returns it by id") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    EventSink& sink = log;
    EventOutbox& outbox = log;
    const TimestampUs before = SystemClock().now_utc_us();
    sink.record_event("dnp3_restart", R"({"meter":"feeder-1","iin":"device_restart"})");
    sink.record_event("dnp3_time_set", R"({"meter":"feeder-2","offset_before_ms":-1250})");
    log.append_audit(audit_kind::disk_full, R"({"duration_s":3})");  // the store's own kinds are events too
    const TimestampUs after = SystemClock().now_utc_us();

    const auto events = outbox.read_events_after(0, 10);
    REQUIRE(events.size() == 3);
    CHECK(events[0].kind == "dnp3_restart");
    CHECK(nlohmann::json::parse(events[0].detail_json)["meter"] == "feeder-1");
    CHECK(events[1].kind == "dnp3_time_set");
    CHECK(events[2].kind == "disk_full");
    CHECK(events[0].id < events[1].id);
    CHECK(events[1].id < events[2].id);
    for (const auto& e : events) {
        CHECK(e.ts_us >= before);
        CHECK(e.ts_us <= after);
    }
    // The event id is the audit id.
    const auto audit = log.read_audit(0, 10);
    REQUIRE(audit.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(audit[i].id == events[i].id);
        CHECK(audit[i].detail_json == events[i].detail_json);
    }

    const auto rest = outbox.read_events_after(events[0].id, 1);
    REQUIRE(rest.size() == 1);
    CHECK(rest[0].id == events[1].id);
    CHECK(outbox.read_events_after(events[2].id, 10).empty());
    CHECK(outbox.read_events_after(0, 0).empty());
}

TEST_CASE("events: a detail that is not a JSON object is refused and nothing is stored") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    CHECK_THROWS_AS(log.record_event("dnp3_restart", "[1,2]"), StoreError);
    CHECK_THROWS_AS(log.record_event("dnp3_restart", "not json"), StoreError);
    CHECK(log.read_events_after(0, 10).empty());
}

TEST_CASE("events: the event cursor counts event ids, not reading seqs, and survives a restart") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    {
        ReadingLog log({path});
        log.append(series("m1", "kwh", 2));  // last_seq 2
        for (int i = 0; i < 5; ++i) log.record_event("dnp3_time_checked", R"({"meter":"m1"})");
        CHECK(log.event_cursor("mqtt.events") == 0);

        log.advance_event_cursor("mqtt.events", 4);  // beyond last_seq: not clamped to it
        CHECK(log.event_cursor("mqtt.events") == 4);
        log.advance_event_cursor("mqtt.events", 3);  // a late acknowledgement
        CHECK(log.event_cursor("mqtt.events") == 4);
        log.advance_event_cursor("mqtt.events", 99);  // clamped to the newest event id
        CHECK(log.event_cursor("mqtt.events") == 5);

        // The reading cursor of the same sink is a different cursor.
        CHECK(log.cursor("mqtt") == 0);
        CHECK(log.backlog("mqtt").readings == 2);
    }
    ReadingLog reopened({path});
    CHECK(reopened.event_cursor("mqtt.events") == 5);
    CHECK(reopened.read_events_after(reopened.event_cursor("mqtt.events"), 10).empty());
    reopened.record_event("dnp3_comm_lost", R"({"meter":"m1"})");
    const auto fresh = reopened.read_events_after(5, 10);
    REQUIRE(fresh.size() == 1);
    CHECK(fresh[0].id == 6);  // ids continue, never reused
}

TEST_CASE("events: with no events the event cursor stays at 0") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    log.append(series("m1", "kwh", 10));
    log.advance_event_cursor("mqtt.events", 7);
    CHECK(log.event_cursor("mqtt.events") == 0);
}

TEST_CASE("events: the quota never counts an event cursor as a readings sink") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    log.append(series("m1", "kwh", 100));
    for (int i = 0; i < 200; ++i) log.record_event("dnp3_time_checked", R"({"meter":"m1"})");
    log.advance_event_cursor("mqtt.events", 200);  // far past every reading seq

    QuotaOptions quota;
    quota.max_bytes = 1;  // everything is over
    quota.policy = QuotaPolicy::stop_low_priority;
    quota.hard_limit = 1e12;  // never drop unacknowledged readings
    const std::vector<std::string> sinks{"mqtt"};
    const auto none = log.enforce_quota(quota, sinks, SystemClock().now_utc_us());
    CHECK(none.pruned_acked_now == 0);
    CHECK(log.reading_count() == 100);

    log.advance_cursor("mqtt", 40);
    const auto some = log.enforce_quota(quota, sinks, SystemClock().now_utc_us());
    CHECK(some.pruned_acked_now == 40);
    CHECK(log.reading_count() == 60);
}
