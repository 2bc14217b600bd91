// Opening damaged files: the golden files of tests/fixtures/store (always copies), the
// move-aside recovery, a newer version refused, and the background integrity check.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "gridgate/store/background_check.hpp"
#include "gridgate/store/open_or_recover.hpp"
#include "test_support.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;
using namespace std::chrono_literals;

namespace {

constexpr TimestampUs recovery_time = 1'795'225'624'000'000;  // 2026-11-21T01:47:04Z
constexpr const char* aside_suffix = ".corrupt-20261121T014704Z";

StoreErrorKind open_error_kind(const std::string& path) {
    try {
        ReadingLog log({path});
    } catch (const StoreError& e) {
        return e.kind();
    }
    return StoreErrorKind::other;
}

void check_recovered(const std::string& fixture, const std::string& reason_part) {
    TempDir dir;
    const std::string path = copy_fixture(dir, fixture);
    const std::string original = file_bytes(path);
    CHECK(open_error_kind(path) == StoreErrorKind::corrupt);  // the plain constructor refuses

    RecordingLogger logger;
    FakeClock clock(recovery_time);
    OpenedStore opened = open_or_recover({path}, logger, clock);
    REQUIRE(opened.log);
    const OpenReport& report = opened.report;
    CHECK(report.recovered);
    CHECK_THAT(report.reason, Catch::Contains(reason_part) && Catch::Contains(path));
    CHECK(report.moved_to == path + aside_suffix);
    REQUIRE_FALSE(report.moved_files.empty());
    CHECK(report.moved_files.front() == report.moved_to);
    // Kept byte for byte, not deleted.
    CHECK(file_bytes(report.moved_to) == original);
    CHECK(logger.contains("moved the damaged store aside to " + report.moved_to));

    // A fresh store that works, and says what happened to the old one.
    ReadingLog& log = *opened.log;
    CHECK(log.last_seq() == 0);
    CHECK(log.append(series("m1", "kwh", 3)) == SeqRange{1, 3});
    const auto audit = log.read_audit(0, 10);
    REQUIRE(audit.size() == 1);
    CHECK(audit[0].kind == "store_recovered");
    CHECK(audit[0].ts_us == recovery_time);
    const auto detail = nlohmann::json::parse(audit[0].detail_json);
    CHECK(detail["moved_to"] == report.moved_to);
    CHECK(detail["file_bytes"] == original.size());
    CHECK_THAT(detail["reason"].get<std::string>(), Catch::Contains(reason_part));
}

// Scribbles over the cell pointers of one page in the middle of the file.
void damage_page(const std::string& path, std::uintmax_t page_number) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>((page_number - 1) * 4096 + 8));
    const std::string scribble(64, '\xff');
    file.write(scribble.data(), static_cast<std::streamsize>(scribble.size()));
}

}  // namespace

TEST_CASE("recovery: a corrupt store (golden) is moved aside and a fresh one started") {
    check_recovered("corrupt.db", "failed the open-time check");
}

TEST_CASE("recovery: a truncated store (golden) is moved aside and a fresh one started") {
    check_recovered("truncated.db", "truncated: 33768 bytes is not a whole number of 4096-byte pages");
}

TEST_CASE("recovery: a file that is not a database (golden) is moved aside and a fresh one started") {
    check_recovered("notadb.db", "not a SQLite database");
}

TEST_CASE("recovery: a store from a newer gridgated (golden) is refused and left where it is") {
    TempDir dir;
    const std::string path = copy_fixture(dir, "future.db");
    const std::string original = file_bytes(path);
    RecordingLogger logger;
    try {
        open_or_recover({path}, logger);
        FAIL("opened a version-9 store");
    } catch (const StoreError& e) {
        CHECK(e.kind() == StoreErrorKind::schema_newer);
        CHECK(std::string(e.what()) == "database schema version 9 is newer than this gridgated supports (4); "
                                       "refusing to open " + path);
    }
    CHECK(file_bytes(path) == original);
    CHECK_FALSE(std::filesystem::exists(path + "-wal"));
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
        CHECK(entry.path().filename() == "future.db");  // nothing moved, nothing created
}

TEST_CASE("recovery: the WAL and shared-memory files move with the database") {
    TempDir dir;
    const std::string path = copy_fixture(dir, "corrupt.db");
    { std::ofstream(path + "-wal") << "stale wal"; }
    { std::ofstream(path + "-shm") << "stale shm"; }
    FakeClock clock(recovery_time);
    OpenedStore opened = open_or_recover({path}, null_logger(), clock);
    CHECK(opened.report.moved_files ==
          std::vector<std::string>{path + aside_suffix, path + aside_suffix + "-wal", path + aside_suffix + "-shm"});
    CHECK(file_bytes(path + aside_suffix + "-wal") == "stale wal");
}

TEST_CASE("recovery: a second recovery within the same second does not overwrite the first") {
    TempDir dir;
    const std::string path = copy_fixture(dir, "notadb.db");
    FakeClock clock(recovery_time);
    std::string first;
    {
        OpenedStore opened = open_or_recover({path}, null_logger(), clock);
        first = opened.report.moved_to;
    }
    std::filesystem::copy_file(std::string(GG_STORE_FIXTURES) + "/notadb.db", path,
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
    OpenedStore again = open_or_recover({path}, null_logger(), clock);
    CHECK(again.report.moved_to == first + "-2");
    CHECK(std::filesystem::exists(first));
}

TEST_CASE("recovery: a healthy store opens as it is") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    { ReadingLog({path}).append(series("m1", "kwh", 5)); }
    OpenedStore opened = open_or_recover({path}, null_logger());
    CHECK_FALSE(opened.report.recovered);
    CHECK(opened.report.moved_to.empty());
    CHECK(opened.log->last_seq() == 5);
    CHECK(opened.log->read_audit(0, 10).empty());
}

TEST_CASE("background check: a healthy store passes") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    log.append(series("m1", "kwh", 1'000));
    RecordingLogger logger;
    BackgroundCheck check(log, logger, 0s);
    REQUIRE(check.wait_for(must_happen_within));
    CHECK(check.status().state == BackgroundCheck::State::ok);
    CHECK(check.status().problems.empty());
    CHECK(logger.contains("background integrity check"));
}

TEST_CASE("background check: damage the open-time check cannot see is found, audited, and cured at the next start") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    {
        ReadingLog log({path, SyncMode::normal});
        for (int i = 0; i < 100; ++i) log.append(series("m" + std::to_string(i % 10), "kwh", 1'000));
    }
    const auto pages = std::filesystem::file_size(path) / 4096;
    REQUIRE(pages > 100);
    damage_page(path, pages / 2);  // a reading-log leaf far from both ends

    {
        ReadingLog log({path});  // the fast open-time check does not read that page
        CHECK(log.last_seq() == 100'000);
        RecordingLogger logger;
        BackgroundCheck check(log, logger, 0s);
        REQUIRE(check.wait_for(must_happen_within));
        const auto status = check.status();
        CHECK(status.state == BackgroundCheck::State::failed);
        CHECK_FALSE(status.problems.empty());
        CHECK(logger.contains("FAILED"));
        const auto audit = log.read_audit(0, 10);
        REQUIRE(audit.size() == 1);
        CHECK(audit[0].kind == "integrity_check_failed");
    }
    // The mark makes the next open run the full check, which refuses the file...
    CHECK_THROWS_WITH(ReadingLog({path}), Catch::Contains("failed PRAGMA quick_check") &&
                                              Catch::Contains("after an earlier background check had failed"));
    // ...so open_or_recover moves it aside.
    OpenedStore opened = open_or_recover({path}, null_logger());
    CHECK(opened.report.recovered);
    CHECK(opened.log->last_seq() == 0);
}

TEST_CASE("background check: a check in progress is interrupted when it is destroyed") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    log.append(series("m1", "kwh", 10));
    {
        BackgroundCheck check(log, null_logger(), 1h);  // still waiting to start
        CHECK(check.status().state == BackgroundCheck::State::waiting);
    }  // returns at once rather than after an hour
    CHECK(log.append(series("m1", "kwh", 1)).first == 11);
}
