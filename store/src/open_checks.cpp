#include "open_checks.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "schema.hpp"

namespace gridgate::store::open_checks {

namespace {

constexpr std::size_t header_size = 100;
constexpr std::string_view magic{"SQLite format 3\0", 16};

[[noreturn]] void refuse(const sqlite::Database& db, const std::string& why) {
    throw StoreError("database " + db.path() + " failed the open-time check (" + why + "); refusing to open it",
                     StoreErrorKind::corrupt);
}

std::uint32_t big_endian(const std::array<unsigned char, header_size>& h, std::size_t at, std::size_t bytes) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i) v = (v << 8) | h[at + i];
    return v;
}

bool has_wal_frames(const std::string& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path + "-wal", ec);
    return !ec && size > 0;
}

// The file header (https://sqlite.org/fileformat.html, section 1.3), read field by field.
void check_header(const sqlite::Database& db) {
    std::error_code ec;
    const auto file_size = std::filesystem::file_size(db.path(), ec);
    if (ec || file_size == 0) return;  // new file: SQLite creates it
    std::array<unsigned char, header_size> h{};
    {
        std::ifstream in(db.path(), std::ios::binary);
        in.read(reinterpret_cast<char*>(h.data()), static_cast<std::streamsize>(h.size()));
        if (static_cast<std::size_t>(in.gcount()) < header_size)
            refuse(db, "the file is " + std::to_string(file_size) + " bytes, shorter than a SQLite header");
    }
    if (!std::equal(magic.begin(), magic.end(), h.begin(), [](char a, unsigned char b) {
            return static_cast<unsigned char>(a) == b;
        }))
        refuse(db, "not a SQLite database: the header magic is missing");
    std::uint32_t page_size = big_endian(h, 16, 2);
    if (page_size == 1) page_size = 65536;
    if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0)
        refuse(db, "page size " + std::to_string(page_size) + " in the header is invalid");
    if (file_size % page_size != 0)
        refuse(db, "truncated: " + std::to_string(file_size) + " bytes is not a whole number of " +
                       std::to_string(page_size) + "-byte pages");
    // The page count in the header is valid when the change counter matches the
    // version-valid-for field. Pages still in the WAL may legitimately be missing from
    // the main file after a crash mid-checkpoint, so only judge a file without a WAL.
    const std::uint32_t header_pages = big_endian(h, 28, 4);
    const bool count_valid = header_pages != 0 && big_endian(h, 24, 4) == big_endian(h, 92, 4);
    if (count_valid && !has_wal_frames(db.path()) && file_size / page_size < header_pages)
        refuse(db, "truncated: the header says " + std::to_string(header_pages) + " pages, the file holds " +
                       std::to_string(file_size / page_size));
}

// Runs a query for its side effect of reading pages; any SQLite error is corruption here.
std::int64_t read_through(sqlite::Database& db, const std::string& sql, const std::string& what) {
    try {
        sqlite::Statement statement(db, sql);
        auto run = statement.run();
        return run.step() ? run.int64(0) : 0;
    } catch (const StoreError& e) {
        refuse(db, what + ": " + e.what());
    }
}

bool table_exists(sqlite::Database& db, const std::string& name) {
    return read_through(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '" + name + "'",
                        "reading the schema") > 0;
}

std::string one_line(std::string text) {
    for (char& c : text)
        if (c == '\n') c = ' ';
    return text;
}

std::string quick_check(sqlite::Database& db, const std::string& pragma) {
    std::string problems;
    sqlite::Statement statement(db, pragma);
    auto run = statement.run();
    while (run.step()) {
        const std::string line = run.text(0);
        if (line == "ok") continue;
        if (!problems.empty()) problems += "; ";
        problems += one_line(line);
    }
    return problems;
}

std::int64_t meta_value(sqlite::Database& db, const std::string& key, bool& found) {
    sqlite::Statement statement(db, "SELECT value FROM meta WHERE key = ?1");
    auto run = statement.run();
    run.bind(1, key);
    found = run.step();
    return found ? run.int64(0) : 0;
}

}  // namespace

void before_open(sqlite::Database& db, int supported_version) {
    check_header(db);
    // A file that is not a database (or is encrypted) fails as soon as the schema is read.
    read_through(db, "SELECT count(*) FROM sqlite_schema", "reading the schema");
    const int found = schema::version_of(db);
    if (found > supported_version)
        throw StoreError(schema::newer_version_message(found, supported_version, db.path()),
                         StoreErrorKind::schema_newer);

    // Pages are validated more strictly as they are loaded, for the checks below only.
    db.exec("PRAGMA cell_size_check = ON");
    for (const char* table : {"meta", "points", "cursors", "audit"}) {
        if (!table_exists(db, table)) continue;
        std::string problems;
        try {
            problems = quick_check(db, std::string("PRAGMA quick_check(") + table + ")");
        } catch (const StoreError& e) {
            problems = e.what();
        }
        if (!problems.empty()) refuse(db, "table " + std::string(table) + ": " + problems);
    }
    if (table_exists(db, "readings")) {
        // The newest rows are what a restart needs first, the oldest what the sinks read
        // next; both ends of the b-tree and the pages on the way are read here, and each
        // record decoded (ts and value are in every schema version).
        for (const char* order : {"DESC", "ASC"})
            read_through(db,
                         std::string("SELECT count(*), max(ts), count(value) FROM ("
                                     "SELECT ts, value FROM readings ORDER BY seq ") +
                             order + " LIMIT 5000)",
                         std::string("reading the ") + (order[0] == 'D' ? "newest" : "oldest") + " readings");
    }
    db.exec("PRAGMA cell_size_check = OFF");
}

void after_migrate(sqlite::Database& db) {
    bool found = false;
    const std::int64_t last_seq = meta_value(db, "last_seq", found);
    if (!found) throw StoreError("database " + db.path() + " has no last_seq record", StoreErrorKind::corrupt);
    // last_seq is the high-water mark that keeps seq from ever being reused, even after
    // old rows are deleted; a row above it means the file was edited or damaged.
    const std::int64_t max_seq = read_through(db, "SELECT coalesce(max(seq), 0) FROM readings", "reading max(seq)");
    if (max_seq > last_seq)
        throw StoreError("database " + db.path() + " holds reading seq " + std::to_string(max_seq) +
                             " above its last_seq " + std::to_string(last_seq) + "; refusing to open it",
                         StoreErrorKind::corrupt);
    bool marked = false;
    meta_value(db, full_check_marker, marked);
    if (!marked) return;
    const std::string problems = full_quick_check(db);
    if (!problems.empty())
        throw StoreError("database " + db.path() + " failed PRAGMA quick_check (" + problems +
                             ") after an earlier background check had failed; refusing to open it",
                         StoreErrorKind::corrupt);
    // Fine now (the damage was in a page since rewritten): clear the mark.
    db.exec(std::string("DELETE FROM meta WHERE key = '") + full_check_marker + "'");
}

std::string full_quick_check(sqlite::Database& db) {
    try {
        return quick_check(db, "PRAGMA quick_check(20)");
    } catch (const StoreError& e) {
        if (e.kind() == StoreErrorKind::corrupt) return one_line(e.what());
        throw;  // interrupted, I/O: not a verdict on the file
    }
}

}  // namespace gridgate::store::open_checks
