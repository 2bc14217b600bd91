#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "gridgate/store/reading_log.hpp"
#include "test_support.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;

namespace {

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

StoreErrorKind open_error_kind(const std::string& path) {
    try {
        ReadingLog log({path});
    } catch (const StoreError& e) {
        return e.kind();
    }
    FAIL("opening " << path << " succeeded");
    return StoreErrorKind::other;
}

}  // namespace

TEST_CASE("a database from a newer gridgated is refused untouched") {
    TempDir dir;
    const std::string path = dir.file("future.db");
    {
        RawDb raw(path);
        raw.exec("CREATE TABLE something_new(x); PRAGMA user_version = 7");
    }
    const std::string before = read_file(path);
    CHECK_THROWS_WITH(ReadingLog({path}), "database schema version 7 is newer than this gridgated supports (4); "
                                          "refusing to open " + path);
    CHECK(open_error_kind(path) == StoreErrorKind::schema_newer);
    CHECK(read_file(path) == before);  // not even switched to WAL
}

TEST_CASE("a file that is not a database is refused") {
    TempDir dir;
    const std::string path = dir.file("garbage.db");
    std::string garbage;
    for (int i = 0; i < 8192; ++i) garbage.push_back(static_cast<char>((i * 151 + 7) % 256));
    write_file(path, garbage);
    CHECK_THROWS_WITH(ReadingLog({path}), Catch::Contains("failed the open-time check (not a SQLite database") &&
                                              Catch::Contains(path) && Catch::Contains("refusing to open"));
    CHECK(open_error_kind(path) == StoreErrorKind::corrupt);
    CHECK(read_file(path) == garbage);
}

TEST_CASE("a database truncated mid-page is refused") {
    TempDir dir;
    const std::string path = dir.file("truncated.db");
    {
        ReadingLog log({path});
        for (int i = 0; i < 20; ++i) log.append(series("meter-" + std::to_string(i), "kWh_delivered", 200));
    }  // closing the last connection checkpoints the WAL into the main file
    const auto size = std::filesystem::file_size(path);
    REQUIRE(size > 16 * 4096);
    REQUIRE_FALSE(std::filesystem::exists(path + "-wal"));
    std::filesystem::resize_file(path, size / 2 + 1000);  // cuts a page in half

    CHECK_THROWS_WITH(ReadingLog({path}), Catch::Contains(path) && Catch::Contains("refusing to open"));
    CHECK(open_error_kind(path) == StoreErrorKind::corrupt);
}

TEST_CASE("a database with damaged b-tree pages is refused") {
    TempDir dir;
    const std::string path = dir.file("damaged.db");
    {
        ReadingLog log({path});
        for (int i = 0; i < 20; ++i) log.append(series("meter-" + std::to_string(i), "kWh_delivered", 200));
    }
    const auto pages = std::filesystem::file_size(path) / 4096;
    REQUIRE(pages > 16);
    {
        // Scribble over the cell pointer array of every page after the schema page, as a
        // flash cell gone bad would: the file still has a valid header.
        std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
        const std::string scribble(16, '\xff');
        for (std::uintmax_t page = 2; page < pages; ++page) {
            file.seekp(static_cast<std::streamoff>(page * 4096 + 100));
            file.write(scribble.data(), static_cast<std::streamsize>(scribble.size()));
        }
    }
    // The open-time check reads both ends of the reading log with cell_size_check on.
    CHECK_THROWS_WITH(ReadingLog({path}), Catch::Contains("failed the open-time check") && Catch::Contains(path) &&
                                              Catch::Contains("malformed") && Catch::Contains("refusing to open"));
    CHECK(open_error_kind(path) == StoreErrorKind::corrupt);
}

TEST_CASE("a database with a reading above its last_seq is refused") {
    TempDir dir;
    const std::string path = dir.file("edited.db");
    {
        ReadingLog log({path});
        log.append(series("m1", "kwh", 3));
    }
    {
        RawDb raw(path);
        raw.exec("UPDATE meta SET value = 1 WHERE key = 'last_seq'");
    }
    CHECK_THROWS_WITH(ReadingLog({path}), Catch::Contains("holds reading seq 3 above its last_seq 1"));
}

TEST_CASE("an empty file is a new database") {
    TempDir dir;
    const std::string path = dir.file("empty.db");
    write_file(path, "");
    ReadingLog log({path});
    CHECK(log.append(series("m1", "kwh", 1)) == SeqRange{1, 1});
}
