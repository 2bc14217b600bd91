#include <catch2/catch.hpp>

#include <cmath>

#include "gridgate/store/reading_log.hpp"
#include "schema.hpp"
#include "test_support.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;

namespace {

void check_v1_readings(ReadingLog& log) {
    const auto all = log.read_after(0, 7);
    REQUIRE(all.size() == 7);
    for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i].seq == i + 1);
    const Reading& first = all[0].reading;
    CHECK(first.meter == "meter-01");
    CHECK(first.point == "wh_del");
    CHECK(first.unit == "kWh");
    CHECK(first.source == Source::modbus_tcp);
    CHECK(first.ts_us == 1'795'225'500'000'000);
    CHECK(first.value == 278394.136);
    CHECK(first.quality == quality::good);
    CHECK(all[1].reading.value == 121.0037);
    CHECK(all[2].reading.value == 42.0);
    CHECK(all[2].reading.ts_us == 1'795'225'500'012'345);
    CHECK(all[3].reading.value == 278394.2);
    CHECK(std::isnan(all[4].reading.value));
    CHECK(all[4].reading.quality == quality::invalid);
    CHECK(all[5].reading.quality == quality::refilled);
    CHECK(all[5].reading.ts_us == 1'795'225'440'000'000);
    CHECK(all[6].reading.value == -0.0001);
    CHECK(all[6].reading.quality == quality::time_unsynced);
    CHECK(all[6].reading.meter == "meter-01");
    CHECK(all[6].reading.point == "va");
}

}  // namespace

TEST_CASE("migrations: a v1 store from gridgate 0.1 opens at the current version with everything intact") {
    TempDir dir;
    const std::string path = copy_fixture(dir, "v1.db");
    {
        ReadingLog log({path});
        check_v1_readings(log);
        CHECK(log.last_seq() == 7);
        CHECK(log.cursor("mqtt") == 3);
        const BacklogInfo b = log.backlog("mqtt");
        CHECK(b.readings == 4);
        CHECK(b.oldest_ts_us == 1'795'225'440'000'000);  // the refilled reading at seq 6
        // New rows continue the seq and use the compact format.
        CHECK(log.append(series("meter-03", "wh_del", 2, 1'795'225'700'000'000)) == SeqRange{8, 9});
        CHECK(log.append_audit("test", R"({"ok":true})") == 1);
        CHECK(log.quota_state().dropped_unacked == 0);
    }
    RawDb raw(path);
    CHECK(raw.query_int("PRAGMA user_version") == ReadingLog::schema_version);
    CHECK(raw.query_text("SELECT typeof(value) FROM readings WHERE seq = 8") == "integer");
    CHECK(raw.query_text("SELECT typeof(value) FROM readings WHERE seq = 1") == "real");  // copied as it was
    CHECK(raw.query_int("SELECT count(*) FROM pragma_table_info('readings') WHERE name = 'quality'") == 0);
    ReadingLog again({path});
    check_v1_readings(again);
}

TEST_CASE("migrations: v1 -> v2 -> current one step at a time") {
    TempDir dir;
    const std::string path = copy_fixture(dir, "v1.db");
    {
        sqlite::Database db(path);
        schema::migrate(db, 2);
        CHECK(schema::version_of(db) == 2);
    }
    {
        RawDb raw(path);
        CHECK(raw.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'audit'") == 1);
        CHECK(raw.query_int("SELECT count(*) FROM pragma_table_info('readings') WHERE name = 'point_id'") == 1);
        CHECK(raw.query_int("SELECT value FROM meta WHERE key = 'dropped_unacked'") == 0);
        raw.exec(R"(INSERT INTO audit(ts, kind, detail) VALUES(1, 'written_at_v2', '{"n":1}'))");
    }
    ReadingLog log({path});
    check_v1_readings(log);
    const auto audit = log.read_audit(0, 10);
    REQUIRE(audit.size() == 1);
    CHECK(audit[0].kind == "written_at_v2");
    RawDb raw(path);
    CHECK(raw.query_int("PRAGMA user_version") == ReadingLog::schema_version);
}

TEST_CASE("migrations: a new store starts at the current version with its bookkeeping") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    { ReadingLog log({path}); }
    RawDb raw(path);
    CHECK(raw.query_int("PRAGMA user_version") == ReadingLog::schema_version);
    CHECK(raw.query_int("SELECT count(*) FROM meta WHERE key IN ('last_seq', 'ts_base', 'pruned_acked', "
                        "'dropped_unacked')") == 4);
    // ts_base is four years after creation, so the next eight years of readings take 6 bytes.
    const std::int64_t base = raw.query_int("SELECT value FROM meta WHERE key = 'ts_base'");
    const std::int64_t now = raw.query_int("SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000000");
    CHECK(base - now > 126'000'000'000'000);
    CHECK(base - now < 126'300'000'000'000);
}

TEST_CASE("row format: a good reading is a point id, a 6-byte ts offset and an integer value") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    TimestampUs now = 0;
    {
        ReadingLog log({path});
        RawDb raw(path);
        now = raw.query_int("SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000000");
        log.append({make_reading("m1", "wh", now, 278394.136), make_reading("m1", "v", now + 1, 121.0037, "V"),
                     make_reading("m1", "v", now + 2, 1.0 / 3.0, "V", quality::invalid | quality::clock_step)});
        const auto back = log.read_after(0, 10);
        REQUIRE(back.size() == 3);
        CHECK(back[2].reading.quality == (quality::invalid | quality::clock_step));
        CHECK(back[2].reading.value == 1.0 / 3.0);
        CHECK(back[1].reading.ts_us == now + 1);
    }
    RawDb raw(path);
    CHECK(raw.query_int("SELECT point FROM readings WHERE seq = 1") ==
          raw.query_int("SELECT id FROM points WHERE point = 'wh'"));
    CHECK(raw.query_int("SELECT point >> 24 FROM readings WHERE seq = 3") == (quality::invalid | quality::clock_step));
    CHECK(raw.query_text("SELECT typeof(value) FROM readings WHERE seq = 2") == "integer");
    CHECK(raw.query_text("SELECT typeof(value) FROM readings WHERE seq = 3") == "real");
    const std::int64_t offset = raw.query_int("SELECT ts FROM readings WHERE seq = 1");
    CHECK(std::abs(offset) < (std::int64_t{1} << 47));  // SQLite's 6-byte integer
}
