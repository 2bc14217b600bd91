// FileIndex as the file sinks' FileOutbox, files with their events, and meter-side
// deletion after every sink delivered.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "file_index_support.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;

using nlohmann::json;

TEST_CASE("file outbox: each sink gets the files it has not delivered, oldest first") {
    TempDir dir;
    Store store(dir);
    for (const char* name : {"a.pqd", "b.pqd", "c.pqd", "d.pqd"}) store.index->add(make_file("m1", name));
    FileOutbox& outbox = *store.index;

    outbox.mark_delivered("sftp.a", 1, "/r/a.pqd", R"({"name":"a.pqd"})");
    outbox.mark_delivered("sftp.a", 3, "/r/c.pqd", R"({"name":"c.pqd"})");
    store.index->mark_evicted(4, std::vector<std::string>{"sftp.a", "sftp.b"}, 1);

    auto next_a = outbox.next_undelivered("sftp.a", 0);
    REQUIRE(next_a);
    CHECK(next_a->id == 2);
    CHECK_FALSE(outbox.next_undelivered("sftp.a", 2));  // 3 delivered, 4 evicted
    auto next_b = outbox.next_undelivered("sftp.b", 0);
    REQUIRE(next_b);
    CHECK(next_b->id == 1);  // the other sink's deliveries do not count for this one
    next_b = outbox.next_undelivered("sftp.b", 1);
    REQUIRE(next_b);
    CHECK(next_b->id == 2);
    next_b = outbox.next_undelivered("sftp.b", 2);
    REQUIRE(next_b);
    CHECK(next_b->id == 3);
    CHECK_FALSE(outbox.next_undelivered("sftp.b", 3));
    CHECK_FALSE(outbox.next_undelivered("sftp.a", 99));
}

TEST_CASE("file outbox: a spooled file carries its path in the spool and its details") {
    TempDir dir;
    Store store(dir);
    FileRecord record = make_file("m1", "142300003_1795224900_123456_07.pqd", 4321);
    store.index->add(record);
    FileRecord unchecked = make_file("", "upload.pqd");
    unchecked.spool_name = "_unclaimed/upload.pqd";
    unchecked.check_json.clear();
    unchecked.well_formed = false;
    unchecked.source = "https";
    store.index->add(unchecked);

    const auto file = store.index->next_undelivered("sftp.head", 0);
    REQUIRE(file);
    CHECK(file->id == 1);
    CHECK(file->meter == "m1");
    CHECK(file->name == record.name);
    CHECK(file->local_path == store.spool + "/m1/142300003_1795224900_123456_07.pqd");
    CHECK(file->size == 4321);
    CHECK(file->sha256 == record.sha256);
    CHECK(file->received_us == record.received_us);
    const json details = json::parse(file->details_json);
    CHECK(details == json{{"source", "sftp_pull"},
                          {"type_bits", 7},
                          {"name_time", record.name_time_us},
                          {"meter_mtime", record.meter_mtime_s},
                          {"well_formed", true},
                          {"pqdif", json::parse(check_ok)}});

    const auto second = store.index->next_undelivered("sftp.head", 1);
    REQUIRE(second);
    CHECK(second->meter.empty());
    CHECK(second->local_path == store.spool + "/_unclaimed/upload.pqd");
    const json details2 = json::parse(second->details_json);
    CHECK(details2["source"] == "https");
    CHECK(details2["well_formed"] == false);
    CHECK(details2["pqdif"].is_null());
}

TEST_CASE("file outbox: mark_delivered writes one delivery and one file_forwarded event, once") {
    TempDir dir;
    Store store(dir);
    store.index->add(make_file("m1", "a.pqd"));
    const std::string notice = R"({"meter":"m1","name":"a.pqd","size":1000,"sha256":"aa"})";
    const TimestampUs before = SystemClock().now_utc_us();

    store.index->mark_delivered("sftp.head", 1, "/in/gw/m1/a.pqd", notice);
    store.index->mark_delivered("sftp.head", 1, "/elsewhere/a.pqd", R"({"again":true})");

    const auto deliveries = store.index->deliveries(1);
    REQUIRE(deliveries.size() == 1);
    CHECK(deliveries[0].sink == "sftp.head");
    CHECK(deliveries[0].remote_path == "/in/gw/m1/a.pqd");
    CHECK(deliveries[0].delivered_us >= before);
    const auto events = store.log->read_events_after(0, 10);
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == "file_forwarded");
    CHECK(json::parse(events[0].detail_json) == json::parse(notice));
    CHECK(events[0].ts_us >= before);

    // A second sink is a delivery (and a notice) of its own.
    store.index->mark_delivered("sftp.backup", 1, "/b/a.pqd", R"({"sink":"backup"})");
    CHECK(store.index->deliveries(1).size() == 2);
    CHECK(store.events_of("file_forwarded").size() == 2);
}

TEST_CASE("file outbox: mark_delivered refuses a bad notice or an unknown file and records nothing") {
    TempDir dir;
    Store store(dir);
    store.index->add(make_file("m1", "a.pqd"));
    CHECK_THROWS_AS(store.index->mark_delivered("sftp.head", 1, "/r", "[1]"), StoreError);
    CHECK_THROWS_AS(store.index->mark_delivered("sftp.head", 1, "/r", "not json"), StoreError);
    CHECK_THROWS_AS(store.index->mark_delivered("sftp.head", 7, "/r", "{}"), StoreError);
    CHECK(store.index->deliveries(1).empty());
    CHECK(store.log->read_events_after(0, 10).empty());
    REQUIRE(store.index->next_undelivered("sftp.head", 0));
}

TEST_CASE("file index: add_with_event stores the file and its event together, with the file id") {
    TempDir dir;
    Store store(dir);
    const std::string detail = R"({"meter":"m1","event_type":"PQD","json_msg":{"EventType":"PQD"}})";
    const FileAdd added = store.index->add_with_event(make_file("m1", "a.pqd"), "meter_alarm", detail);
    CHECK(added.added);
    auto events = store.events_of("meter_alarm");
    REQUIRE(events.size() == 1);
    json expected = json::parse(detail);
    expected["file_id"] = added.id;
    CHECK(json::parse(events[0].detail_json) == expected);

    // The meter repeats the notification: a second event, naming the file already held.
    const FileAdd repeated = store.index->add_with_event(make_file("m1", "a.pqd"), "meter_alarm", detail);
    CHECK_FALSE(repeated.added);
    CHECK(repeated.id == added.id);
    events = store.events_of("meter_alarm");
    REQUIRE(events.size() == 2);
    CHECK(json::parse(events[1].detail_json)["file_id"] == added.id);
    CHECK(store.index->counters().files_added == 1);
}

TEST_CASE("file index: add_with_event without a file stores only the event, unchanged") {
    TempDir dir;
    Store store(dir);
    const std::string detail = R"({"meter":"m1","event_type":"OU"})";
    const FileAdd result = store.index->add_with_event(std::nullopt, "meter_alarm", detail);
    CHECK_FALSE(result.added);
    CHECK(result.id == 0);
    const auto events = store.log->read_events_after(0, 10);
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == "meter_alarm");
    CHECK(json::parse(events[0].detail_json) == json::parse(detail));
    CHECK_FALSE(json::parse(events[0].detail_json).contains("file_id"));
    CHECK(store.index->list(0, 10).empty());
    CHECK(store.index->counters().files_added == 0);
}

TEST_CASE("file index: add_with_event with a bad detail stores neither the file nor the event") {
    TempDir dir;
    Store store(dir);
    CHECK_THROWS_AS(store.index->add_with_event(make_file("m1", "a.pqd"), "meter_alarm", "[1,2]"), StoreError);
    CHECK_THROWS_AS(store.index->add_with_event(make_file("m1", "a.pqd"), "meter_alarm", "{broken"), StoreError);
    CHECK_FALSE(store.index->find("m1", "a.pqd"));
    CHECK(store.index->counters().files_added == 0);
    CHECK(store.log->read_events_after(0, 10).empty());
}

TEST_CASE("file index: delivered_not_deleted waits for every sink, per meter") {
    TempDir dir;
    Store store(dir);
    const std::vector<std::string> sinks{"sftp.a", "sftp.b"};
    store.index->add(make_file("m1", "a.pqd"));  // 1
    store.index->add(make_file("m1", "b.pqd"));  // 2
    store.index->add(make_file("m2", "a.pqd"));  // 3

    store.index->mark_delivered("sftp.a", 1, "/r", "{}");
    CHECK(store.index->delivered_not_deleted("m1", sinks).empty());  // sftp.b has not
    store.index->mark_delivered("sftp.b", 1, "/r", "{}");
    for (const char* sink : {"sftp.a", "sftp.b"}) store.index->mark_delivered(sink, 3, "/r", "{}");

    auto ready = store.index->delivered_not_deleted("m1", sinks);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].id == 1);
    CHECK(ready[0].name == "a.pqd");
    // Naming a sink twice does not lower the bar; with no sinks nothing is delivered.
    CHECK(store.index->delivered_not_deleted("m1", std::vector<std::string>{"sftp.a", "sftp.a", "sftp.b"}).size() == 1);
    CHECK(store.index->delivered_not_deleted("m1", std::vector<std::string>{"sftp.a", "sftp.c"}).empty());
    CHECK(store.index->delivered_not_deleted("m1", std::vector<std::string>{}).empty());

    store.index->mark_deleted_on_meter(1);
    CHECK(store.index->get(1)->deleted_on_meter);
    CHECK(store.index->delivered_not_deleted("m1", sinks).empty());
    ready = store.index->delivered_not_deleted("m2", sinks);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].id == 3);
    // Eviction of the spooled copy does not stop the meter's copy from being deleted.
    store.index->mark_evicted(3, sinks, 1);
    CHECK(store.index->delivered_not_deleted("m2", sinks).size() == 1);
    CHECK_THROWS_AS(store.index->mark_deleted_on_meter(42), StoreError);
}
