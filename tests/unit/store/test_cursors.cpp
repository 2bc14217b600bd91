#include <catch2/catch.hpp>

#include "gridgate/store/reading_log.hpp"
#include "test_support.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;

TEST_CASE("a sink without a cursor starts at 0") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    log.append(series("m1", "kwh", 3));
    CHECK(log.cursor("mqtt") == 0);
}

TEST_CASE("cursors are kept per sink") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    log.append(series("m1", "kwh", 10));
    log.advance_cursor("mqtt", 7);
    log.advance_cursor("sftp", 2);
    CHECK(log.cursor("mqtt") == 7);
    CHECK(log.cursor("sftp") == 2);
    CHECK(log.cursor("other") == 0);
}

TEST_CASE("a cursor never moves backward") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    log.append(series("m1", "kwh", 10));
    log.advance_cursor("mqtt", 6);
    log.advance_cursor("mqtt", 3);
    CHECK(log.cursor("mqtt") == 6);
    log.advance_cursor("mqtt", 0);
    CHECK(log.cursor("mqtt") == 6);
    log.advance_cursor("mqtt", 9);
    CHECK(log.cursor("mqtt") == 9);
}

TEST_CASE("a cursor never moves beyond last_seq") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    log.advance_cursor("mqtt", 5);  // nothing written yet
    CHECK(log.cursor("mqtt") == 0);
    log.append(series("m1", "kwh", 4));
    log.advance_cursor("mqtt", 100);
    CHECK(log.cursor("mqtt") == 4);
    // The readings written next are still delivered to this sink.
    log.append(series("m1", "kwh", 2));
    const auto next = log.read_after(log.cursor("mqtt"), 10);
    REQUIRE(next.size() == 2);
    CHECK(next.front().seq == 5);
}

TEST_CASE("cursors persist across reopen") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    {
        ReadingLog log({path});
        log.append(series("m1", "kwh", 10));
        log.advance_cursor("mqtt", 8);
        log.advance_cursor("sftp", 3);
    }
    ReadingLog log({path});
    CHECK(log.cursor("mqtt") == 8);
    CHECK(log.cursor("sftp") == 3);
    log.advance_cursor("mqtt", 1);
    CHECK(log.cursor("mqtt") == 8);
}

TEST_CASE("backlog reports what a sink has not had acknowledged") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    SECTION("empty log") {
        const BacklogInfo b = log.backlog("mqtt");
        CHECK(b.readings == 0);
        CHECK(b.cursor == 0);
        CHECK(b.last_seq == 0);
        CHECK(b.oldest_ts_us == 0);
    }
    SECTION("nothing acknowledged, then part, then all") {
        log.append({make_reading("m1", "kwh", 5'000, 1.0), make_reading("m1", "kwh", 6'000, 2.0),
                    // refilled from the meter's profile: older than what was read before it
                    make_reading("m1", "kwh", 1'000, 0.5, "kWh", quality::refilled),
                    make_reading("m1", "kwh", 7'000, 3.0)});
        BacklogInfo b = log.backlog("mqtt");
        CHECK(b.readings == 4);
        CHECK(b.cursor == 0);
        CHECK(b.last_seq == 4);
        CHECK(b.oldest_ts_us == 1'000);

        log.advance_cursor("mqtt", 3);
        b = log.backlog("mqtt");
        CHECK(b.readings == 1);
        CHECK(b.cursor == 3);
        CHECK(b.last_seq == 4);
        CHECK(b.oldest_ts_us == 7'000);

        log.advance_cursor("mqtt", 4);
        b = log.backlog("mqtt");
        CHECK(b.readings == 0);
        CHECK(b.cursor == 4);
        CHECK(b.oldest_ts_us == 0);

        CHECK(log.backlog("sftp").readings == 4);  // another sink is unaffected
    }
}
