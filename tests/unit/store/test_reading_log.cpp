#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "gridgate/store/reading_log.hpp"
#include "test_support.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;

namespace {

// Every seq from 1 to last, each exactly once, in order.
void require_gapless(ReadingLog& log, std::uint64_t last) {
    const auto all = log.read_after(0, last + 10);
    REQUIRE(all.size() == last);
    for (std::size_t i = 0; i < all.size(); ++i) REQUIRE(all[i].seq == i + 1);
}

}  // namespace

TEST_CASE("a new log is empty") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    CHECK(log.last_seq() == 0);
    CHECK(log.reading_count() == 0);
    CHECK(log.read_after(0, 100).empty());
}

TEST_CASE("appending nothing assigns nothing") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    CHECK(log.append({}) == SeqRange{0, 0});
    CHECK(log.append({}).count() == 0);
    log.append(series("m1", "kwh", 2));
    CHECK(log.append({}) == SeqRange{0, 0});
    CHECK(log.last_seq() == 2);
}

TEST_CASE("seq is gapless and monotonic across many appends") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    std::uint64_t expected_next = 1;
    for (std::size_t batch = 1; batch <= 40; ++batch) {
        const SeqRange range = log.append(series("m" + std::to_string(batch % 3), "p", batch % 7 + 1));
        REQUIRE(range.first == expected_next);
        REQUIRE(range.count() == batch % 7 + 1);
        expected_next = range.last + 1;
        REQUIRE(log.last_seq() == range.last);
    }
    require_gapless(log, expected_next - 1);
    CHECK(log.reading_count() == expected_next - 1);
}

TEST_CASE("seq continues after close and reopen") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    {
        ReadingLog log({path});
        CHECK(log.append(series("m1", "kwh", 5)) == SeqRange{1, 5});
    }
    {
        ReadingLog log({path});
        CHECK(log.last_seq() == 5);
        CHECK(log.append(series("m1", "kwh", 3)) == SeqRange{6, 8});
    }
    ReadingLog log({path});
    CHECK(log.last_seq() == 8);
    require_gapless(log, 8);
}

TEST_CASE("seq is never reused after old rows are deleted") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    {
        ReadingLog log({path});
        log.append(series("m1", "kwh", 10));
    }
    {
        // What a future quota policy does: drop the oldest rows, here all of them.
        RawDb raw(path);
        raw.exec("DELETE FROM readings");
    }
    ReadingLog log({path});
    CHECK(log.reading_count() == 0);
    CHECK(log.last_seq() == 10);
    CHECK(log.append(series("m1", "kwh", 2)) == SeqRange{11, 12});
}

TEST_CASE("a reading comes back exactly as it was stored") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    const std::vector<Reading> in = {
        make_reading("jem-01", "kWh_del", 1'732'184'100'000'123, 123456.789, "kWh", quality::good, Source::dnp3),
        make_reading("jem-01", "V_a", -5, -0.0, "V", quality::time_unsynced | quality::estimated, Source::modbus_rtu),
        make_reading("jem-02", "Hz", 0, 1e300, "Hz", quality::all, Source::dlms),
        make_reading("métier ✓", "", 42, 7.0, "", quality::clock_step, Source::gateway),
    };
    log.append(in);
    const auto out = log.read_after(0, 10);
    REQUIRE(out.size() == in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        CHECK(out[i].seq == i + 1);
        CHECK(out[i].reading == in[i]);
    }
}

TEST_CASE("NaN and infinite values survive the round trip") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    log.append({make_reading("m", "p", 1, std::nan(""), "V", quality::invalid),
                make_reading("m", "p", 2, HUGE_VAL), make_reading("m", "p", 3, -HUGE_VAL)});
    const auto out = log.read_after(0, 10);
    REQUIRE(out.size() == 3);
    CHECK(std::isnan(out[0].reading.value));
    CHECK(out[0].reading.quality == quality::invalid);
    CHECK(out[1].reading.value == HUGE_VAL);
    CHECK(out[2].reading.value == -HUGE_VAL);
}

TEST_CASE("read_after pages through the log in seq order") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    log.append(series("m1", "kwh", 25));

    std::vector<std::uint64_t> seen;
    std::uint64_t after = 0;
    for (;;) {
        const auto page = log.read_after(after, 10);
        if (page.empty()) break;
        REQUIRE(page.size() <= 10);
        for (const auto& s : page) seen.push_back(s.seq);
        after = page.back().seq;
    }
    REQUIRE(seen.size() == 25);
    for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == i + 1);

    CHECK(log.read_after(0, 0).empty());
    CHECK(log.read_after(25, 10).empty());
    CHECK(log.read_after(1'000, 10).empty());
    CHECK(log.read_after(~std::uint64_t{0}, 10).empty());
    const auto tail = log.read_after(22, 1'000);
    REQUIRE(tail.size() == 3);
    CHECK(tail.front().seq == 23);
    CHECK(tail.front().reading.value == 22.5);
}

TEST_CASE("the points dictionary stores each point once") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    {
        ReadingLog log({path});
        log.append(series("m1", "kwh", 5));
        log.append(series("m1", "kwh", 5));
        log.append(series("m2", "kwh", 5));
        // Same meter and point but another unit or source is another point.
        log.append({make_reading("m1", "kwh", 1, 1.0, "Wh"),
                    make_reading("m1", "kwh", 1, 1.0, "kWh", quality::good, Source::dnp3)});
    }
    {
        ReadingLog log({path});  // a fresh cache must find the rows written before
        log.append(series("m1", "kwh", 5));
        log.append(series("m2", "v", 1));
        CHECK(log.reading_count() == 23);
    }
    RawDb raw(path);
    CHECK(raw.query_int("SELECT count(*) FROM points") == 5);
    // Schema 3 packs the quality flags above bit 24 of `point`; these are all good.
    CHECK(raw.query_int("SELECT count(DISTINCT point) FROM readings") == 5);
    CHECK(raw.query_int("SELECT count(*) FROM readings WHERE point = "
                        "(SELECT id FROM points WHERE meter = 'm1' AND point = 'kwh' AND unit = 'kWh' AND source = 1)") ==
          15);
}

TEST_CASE("a failed append changes nothing and leaves the point cache consistent") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    ReadingLog log({path});
    log.append(series("m1", "kwh", 3));

    RawDb raw(path);
    // Make the database itself refuse one row, after the transaction has already
    // created a new point and inserted a reading.
    // (ts is stored relative to meta.ts_base.)
    raw.exec("CREATE TRIGGER refuse BEFORE INSERT ON readings "
             "WHEN NEW.ts + (SELECT value FROM meta WHERE key = 'ts_base') = 666 "
             "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    std::vector<Reading> doomed = {make_reading("new-a", "p", 1, 1.0), make_reading("new-a", "p", 666, 2.0)};
    CHECK_THROWS_AS(log.append(doomed), StoreError);
    CHECK_THROWS_WITH(log.append(doomed), Catch::Contains("injected failure"));
    CHECK(log.last_seq() == 3);
    CHECK(log.reading_count() == 3);
    CHECK(raw.query_int("SELECT count(*) FROM points") == 1);
    CHECK(raw.query_int("SELECT value FROM meta WHERE key = 'last_seq'") == 3);
    raw.exec("DROP TRIGGER refuse");

    // Another new point now takes the id the rolled-back one had; if the cache still
    // held that id, new-a's readings would come back under new-b's name.
    CHECK(log.append({make_reading("new-b", "q", 10, 10.0)}) == SeqRange{4, 4});
    CHECK(log.append({make_reading("new-a", "p", 11, 11.0)}) == SeqRange{5, 5});
    const auto out = log.read_after(3, 10);
    REQUIRE(out.size() == 2);
    CHECK(out[0].reading.meter == "new-b");
    CHECK(out[1].reading.meter == "new-a");
    CHECK(out[1].reading.point == "p");
}

TEST_CASE("a locked database fails the append cleanly and the next one succeeds") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    ReadingLog log({path, SyncMode::full, std::chrono::milliseconds(0)});
    log.append(series("m1", "kwh", 2));

    RawDb other(path);
    other.exec("BEGIN IMMEDIATE");
    try {
        log.append(series("m1", "kwh", 2));
        FAIL("append succeeded while another connection held the write lock");
    } catch (const StoreError& e) {
        CHECK(e.kind() == StoreErrorKind::busy);
    }
    other.exec("ROLLBACK");
    CHECK(log.last_seq() == 2);
    CHECK(log.append(series("m1", "kwh", 2)) == SeqRange{3, 4});
}

TEST_CASE("the path must name a file") {
    CHECK_THROWS_AS(ReadingLog({""}), StoreError);
    CHECK_THROWS_AS(ReadingLog({":memory:"}), StoreError);
    CHECK_THROWS_WITH(ReadingLog({"/nonexistent-dir/x/gw.db"}), Catch::Contains("cannot open database"));
}

TEST_CASE("the file is in WAL mode at the current schema version") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    ReadingLog log({path, SyncMode::normal});
    RawDb raw(path);
    CHECK(raw.query_int("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'") == 1);
    CHECK(raw.query_int("PRAGMA user_version") == ReadingLog::schema_version);
}

TEST_CASE("readers see only whole commits while a writer appends") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    constexpr std::size_t batch = 10;
    constexpr int batches = 60;
    std::atomic<bool> writing{true};
    std::thread writer([&] {
        for (int i = 0; i < batches; ++i) log.append(series("m1", "kwh", batch));
        writing = false;
    });
    std::uint64_t previous_last = 0;
    bool saw_done = false;
    while (!saw_done) {
        saw_done = !writing;  // one more full check after the writer finished
        const std::uint64_t last = log.last_seq();
        REQUIRE(last >= previous_last);
        previous_last = last;
        const auto all = log.read_after(0, batch * batches + 1);
        REQUIRE(all.size() % batch == 0);  // never half a transaction
        for (std::size_t i = 0; i < all.size(); ++i) REQUIRE(all[i].seq == i + 1);
        const BacklogInfo b = log.backlog("mqtt");
        REQUIRE(b.readings == b.last_seq);
        log.advance_cursor("other", last);
    }
    writer.join();
    CHECK(log.last_seq() == batch * batches);
    CHECK(log.cursor("other") == batch * batches);
}

TEST_CASE("appends survive a process that dies without closing the log") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The child commits and dies like kill -9 would leave it: no destructors, no
        // checkpoint, the commits only in the WAL.
        int status = 1;
        try {
            auto* log = new ReadingLog({path, SyncMode::normal});
            log->append(series("m1", "kwh", 7));
            log->advance_cursor("mqtt", 4);
            status = 0;
        } catch (...) {
        }
        ::_exit(status);
    }
    int status = -1;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    REQUIRE(std::filesystem::exists(path + "-wal"));

    ReadingLog log({path});
    CHECK(log.last_seq() == 7);
    CHECK(log.cursor("mqtt") == 4);
    CHECK(log.append(series("m1", "kwh", 1)) == SeqRange{8, 8});
    require_gapless(log, 8);
}

TEST_CASE("latest_ts finds where a meter's profile points resume", "[store][dlms]") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    CHECK_FALSE(log.latest_ts("jem-01", {"lp_wh"}));
    CHECK_FALSE(log.latest_ts("jem-01", {}));
    log.append({make_reading("jem-01", "lp_wh", 1'000, 1, "Wh", quality::good, Source::dlms),
                make_reading("jem-01", "lp_varh", 1'000, 1, "varh", quality::good, Source::dlms),
                make_reading("jem-01", "v_a", 9'000, 120, "V", quality::good, Source::dlms),
                make_reading("jem-02", "lp_wh", 8'000, 1, "Wh", quality::good, Source::dlms)});
    // Refilled intervals carry quality flags in the packed row: still found.
    log.append({make_reading("jem-01", "lp_wh", 2'000, 2, "Wh", quality::refilled | quality::power_outage,
                             Source::dlms)});
    CHECK(log.latest_ts("jem-01", {"lp_wh", "lp_varh"}) == 2'000);
    CHECK(log.latest_ts("jem-01", {"lp_varh"}) == 1'000);
    CHECK(log.latest_ts("jem-02", {"lp_wh"}) == 8'000);
    CHECK_FALSE(log.latest_ts("jem-03", {"lp_wh"}));
    CHECK_FALSE(log.latest_ts("jem-01", {"nope\"]"}));  // names are data, not SQL or JSON syntax
    const auto back = log.read_after(4, 1);
    REQUIRE(back.size() == 1);
    CHECK(back[0].reading.quality == (quality::refilled | quality::power_outage));
}
