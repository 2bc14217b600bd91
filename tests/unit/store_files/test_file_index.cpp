// FileIndex basics: opening next to a ReadingLog, indexing files, lookups, restarts.
#include <catch2/catch.hpp>

#include <filesystem>

#include "file_index_support.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;

TEST_CASE("file index: add indexes a file durably, and find/get return every field") {
    TempDir dir;
    Store store(dir);
    FileRecord record = make_file("m1", "142300003_1795224900_123456_07.pqd", 123'456);
    record.source = "push_inbox";
    record.well_formed = false;

    const FileAdd added = store.index->add(record);
    CHECK(added.added);
    CHECK(added.id == 1);

    const auto found = store.index->find("m1", "142300003_1795224900_123456_07.pqd");
    REQUIRE(found);
    CHECK(found->id == 1);
    CHECK(found->meter == "m1");
    CHECK(found->name == record.name);
    CHECK(found->spool_name == "m1/142300003_1795224900_123456_07.pqd");
    CHECK(found->size == 123'456);
    CHECK(found->sha256 == record.sha256);
    CHECK(found->source == "push_inbox");
    CHECK(found->meter_mtime_s == record.meter_mtime_s);
    CHECK(found->received_us == record.received_us);
    CHECK(found->type_bits == 0x07);
    CHECK(found->name_time_us == record.name_time_us);
    CHECK_FALSE(found->well_formed);
    CHECK(found->check_json == check_ok);
    CHECK_FALSE(found->deleted_on_meter);
    CHECK_FALSE(found->evicted);
    CHECK(found->evicted_us == 0);

    const auto by_id = store.index->get(1);
    REQUIRE(by_id);
    CHECK(by_id->name == record.name);
    CHECK_FALSE(store.index->get(2));
    CHECK_FALSE(store.index->find("m2", record.name));
    CHECK_FALSE(store.index->find("m1", "other.pqd"));
    CHECK(store.index->deliveries(1).empty());
}

TEST_CASE("file index: (meter, name) is unique; a second add changes nothing") {
    TempDir dir;
    Store store(dir);
    const FileAdd first = store.index->add(make_file("m1", "a.pqd", 100));
    FileRecord again = make_file("m1", "a.pqd", 999);
    again.sha256 = std::string(64, 'b');
    const FileAdd second = store.index->add(again);
    CHECK_FALSE(second.added);
    CHECK(second.id == first.id);
    CHECK(store.index->get(first.id)->size == 100);
    CHECK(store.index->get(first.id)->sha256 == std::string(64, 'a'));

    // The same name from another meter, or from no meter, is another file.
    const FileAdd other_meter = store.index->add(make_file("m2", "a.pqd"));
    const FileAdd unclaimed = store.index->add(make_file("", "a.pqd"));
    CHECK(other_meter.added);
    CHECK(unclaimed.added);
    CHECK(other_meter.id == 2);
    CHECK(unclaimed.id == 3);

    const SpoolCounters c = store.index->counters();
    CHECK(c.files_added == 3);
    CHECK(c.held_files == 3);
    CHECK(c.held_bytes == 100 + 1000 + 1000);
}

TEST_CASE("file index: list pages through every row in id order") {
    TempDir dir;
    Store store(dir);
    for (int i = 0; i < 5; ++i) store.index->add(make_file("m1", "f" + std::to_string(i) + ".pqd"));
    const std::vector<std::string> sinks{"sftp.head"};
    store.index->mark_evicted(2, sinks, 1'795'300'000'000'000);

    const auto page1 = store.index->list(0, 3);
    REQUIRE(page1.size() == 3);
    CHECK(page1[0].id == 1);
    CHECK(page1[1].id == 2);
    CHECK(page1[1].evicted);  // evicted rows stay in the record
    CHECK(page1[1].evicted_us == 1'795'300'000'000'000);
    CHECK(page1[2].id == 3);
    const auto page2 = store.index->list(3, 3);
    REQUIRE(page2.size() == 2);
    CHECK(page2[0].id == 4);
    CHECK(page2[1].id == 5);
    CHECK(store.index->list(5, 3).empty());
    CHECK(store.index->list(0, 0).empty());
}

TEST_CASE("file index: a PQDIF check result must be empty or a JSON object") {
    TempDir dir;
    Store store(dir);
    FileRecord unchecked = make_file("m1", "a.pqd");
    unchecked.check_json.clear();
    CHECK(store.index->add(unchecked).added);
    FileRecord broken = make_file("m1", "b.pqd");
    broken.check_json = "{not json";
    CHECK_THROWS_AS(store.index->add(broken), StoreError);
    broken.check_json = "[1,2]";
    CHECK_THROWS_AS(store.index->add(broken), StoreError);
    CHECK_FALSE(store.index->find("m1", "b.pqd"));
    CHECK(store.index->counters().files_added == 1);  // the refused adds were rolled back whole
}

TEST_CASE("file index: needs a file the reading log has created and migrated") {
    TempDir dir;
    const std::string missing = dir.file("missing.db");
    CHECK_THROWS_WITH(FileIndex(missing, dir.file("spool")), Catch::Contains("open it with ReadingLog first"));
    CHECK_FALSE(std::filesystem::exists(missing));  // never created by the index

    const std::string empty = dir.file("empty.db");
    { RawDb raw(empty); raw.exec("CREATE TABLE t(x)"); }
    CHECK_THROWS_WITH(FileIndex(empty, dir.file("spool")), Catch::Contains("schema version 0"));

    const std::string newer = dir.file("newer.db");
    { ReadingLog log({newer}); }
    { RawDb raw(newer); raw.exec("PRAGMA user_version = 9"); }
    try {
        FileIndex index(newer, dir.file("spool"));
        FAIL("opened a version-9 store");
    } catch (const StoreError& e) {
        CHECK(e.kind() == StoreErrorKind::schema_newer);
    }
}

TEST_CASE("file index: everything survives closing and reopening the store") {
    TempDir dir;
    Store store(dir);
    const std::vector<std::string> sinks{"sftp.head"};
    store.index->add(make_file("m1", "a.pqd", 10));
    store.index->add(make_file("m1", "b.pqd", 20));
    store.index->add(make_file("m1", "c.pqd", 30));
    store.index->mark_delivered("sftp.head", 1, "/in/gw/m1/a.pqd", R"({"name":"a.pqd"})");
    store.index->mark_deleted_on_meter(1);
    store.index->mark_evicted(1, sinks, 1'795'300'000'000'000);
    store.index->mark_evicted(2, sinks, 1'795'300'000'000'001);

    store.reopen();

    const auto a = store.index->get(1);
    REQUIRE(a);
    CHECK(a->evicted);
    CHECK(a->deleted_on_meter);
    const auto deliveries = store.index->deliveries(1);
    REQUIRE(deliveries.size() == 1);
    CHECK(deliveries[0].sink == "sftp.head");
    CHECK(deliveries[0].remote_path == "/in/gw/m1/a.pqd");
    CHECK(deliveries[0].delivered_us > 0);
    const SpoolCounters c = store.index->counters();
    CHECK(c.files_added == 3);
    CHECK(c.evicted_delivered == 1);
    CHECK(c.evicted_undelivered == 1);
    CHECK(c.held_files == 1);
    CHECK(c.held_bytes == 30);
    CHECK(store.events_of("file_forwarded").size() == 1);
    CHECK(store.events_of("spool_evicted").size() == 2);
    // Ids go on after the restart.
    CHECK(store.index->add(make_file("m1", "d.pqd")).id == 4);
    const auto next = store.index->next_undelivered("sftp.head", 0);
    REQUIRE(next);
    CHECK(next->id == 3);
}
