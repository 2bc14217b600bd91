// Migration 4: a store written by the previous release (schema version 3) gains the file
// index and keeps its readings, cursors and events.
#include <catch2/catch.hpp>

#include "file_index_support.hpp"
#include "schema.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;

TEST_CASE("file index migration: a v3 store opens at v4 with its data intact and an empty index") {
    TempDir dir;
    // The golden v1 store brought to v3 as the previous release did, with an event that
    // release wrote.
    const std::string path = copy_fixture(dir, "v1.db");
    {
        sqlite::Database db(path);
        schema::migrate(db, 3);
        REQUIRE(schema::version_of(db) == 3);
    }
    {
        RawDb raw(path);
        CHECK(raw.query_int("SELECT count(*) FROM sqlite_schema WHERE name IN ('files', 'deliveries')") == 0);
        raw.exec(R"(INSERT INTO audit(ts, kind, detail) VALUES(5, 'written_at_v3', '{"n":3}'))");
    }

    Store store(dir, "v1.db");
    {
        RawDb raw(path);
        CHECK(raw.query_int("PRAGMA user_version") == 4);
        CHECK(raw.query_int("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('files', "
                            "'deliveries')") == 2);
        CHECK(raw.query_int("SELECT count(*) FROM meta WHERE key LIKE 'spool_%' AND value = 0") == 3);
    }
    CHECK(store.log->last_seq() == 7);
    CHECK(store.log->cursor("mqtt") == 3);
    CHECK(store.log->read_after(0, 10).size() == 7);
    const auto before = store.log->read_events_after(0, 10);
    REQUIRE(before.size() == 1);
    CHECK(before[0].kind == "written_at_v3");

    const SpoolCounters empty = store.index->counters();
    CHECK(empty.files_added == 0);
    CHECK(empty.held_files == 0);
    CHECK(empty.held_bytes == 0);
    CHECK(store.index->list(0, 10).empty());

    // The index works on the migrated file, and its events follow the old ones.
    const FileAdd added = store.index->add_with_event(make_file("meter-01", "a.pqd"), "pqd_notified", R"({"x":1})");
    CHECK(added.added);
    const auto after = store.log->read_events_after(before[0].id, 10);
    REQUIRE(after.size() == 1);
    CHECK(after[0].kind == "pqd_notified");
}

TEST_CASE("file index migration: a new store starts at v4 with the index tables and counters") {
    TempDir dir;
    Store store(dir);
    RawDb raw(store.path);
    CHECK(raw.query_int("PRAGMA user_version") == ReadingLog::schema_version);
    CHECK(ReadingLog::schema_version == 4);
    CHECK(raw.query_int("SELECT count(*) FROM meta WHERE key IN ('spool_files_added', 'spool_evicted_delivered', "
                        "'spool_evicted_undelivered')") == 3);
    CHECK(raw.query_int("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'files_held'") == 1);
}
