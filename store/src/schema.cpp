#include "schema.hpp"

#include <span>
#include <string>

namespace gridgate::store::schema {

namespace {

// Migration N brings a file from version N-1 to N. Never edit a released migration;
// add the next one. Column choices are about bytes per reading on small flash:
// seq is the rowid (no separate index), meter/point/unit live once in `points`.
constexpr const char* migrations[] = {
    // 1: the reading log, its points dictionary, sink cursors and the seq high-water mark.
    R"sql(
CREATE TABLE meta(
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta(key, value) VALUES('last_seq', 0);

CREATE TABLE points(
    id     INTEGER PRIMARY KEY,
    meter  TEXT NOT NULL,
    point  TEXT NOT NULL,
    unit   TEXT NOT NULL,
    source INTEGER NOT NULL,
    UNIQUE(meter, point, unit, source)
);

CREATE TABLE readings(
    seq      INTEGER PRIMARY KEY,
    point_id INTEGER NOT NULL REFERENCES points(id),
    ts       INTEGER NOT NULL,
    value    REAL,
    quality  INTEGER NOT NULL
);

CREATE TABLE cursors(
    sink TEXT PRIMARY KEY,
    seq  INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
};

std::string newer_message(int found, int supported, const std::string& path) {
    return "database schema version " + std::to_string(found) +
           " is newer than this gridgated supports (" + std::to_string(supported) +
           "); refusing to open " + path;
}

void quick_check(sqlite::Database& db) {
    std::string problems;
    try {
        sqlite::Statement statement(db, "PRAGMA quick_check(5)");
        auto run = statement.run();
        while (run.step()) {
            std::string line = run.text(0);
            if (line == "ok") continue;
            // Keep the message on one log line.
            for (char& c : line)
                if (c == '\n') c = ' ';
            if (!problems.empty()) problems += "; ";
            problems += line;
        }
    } catch (const StoreError& e) {
        // A file that is not a database fails already when the header is read.
        throw StoreError("database " + db.path() + " is corrupt or not a SQLite database (" +
                             e.what() + "); refusing to open it",
                         StoreErrorKind::corrupt);
    }
    if (!problems.empty())
        throw StoreError("database " + db.path() + " failed PRAGMA quick_check (" + problems +
                             "); refusing to open it",
                         StoreErrorKind::corrupt);
}

}  // namespace

int version_of(sqlite::Database& db) {
    sqlite::Statement statement(db, "PRAGMA user_version");
    auto run = statement.run();
    run.step();
    return static_cast<int>(run.int64(0));
}

void check_before_open(sqlite::Database& db, int supported) {
    quick_check(db);
    const int found = version_of(db);
    if (found > supported)
        throw StoreError(newer_message(found, supported, db.path()), StoreErrorKind::schema_newer);
}

void migrate(sqlite::Database& db, int supported) {
    const std::span<const char* const> all(migrations);
    if (supported > static_cast<int>(all.size()))
        throw StoreError("store supports schema version " + std::to_string(supported) + " but has only " +
                         std::to_string(all.size()) + " migrations");
    for (;;) {
        // IMMEDIATE takes the write lock before reading the version, so two processes
        // opening a new file at once cannot both run the same migration.
        db.exec("BEGIN IMMEDIATE");
        try {
            const int found = version_of(db);
            if (found > supported)
                throw StoreError(newer_message(found, supported, db.path()), StoreErrorKind::schema_newer);
            if (found == supported) {
                db.exec("COMMIT");
                return;
            }
            try {
                db.exec(all[static_cast<std::size_t>(found)]);
                db.exec("PRAGMA user_version = " + std::to_string(found + 1));
                db.exec("COMMIT");
            } catch (const StoreError& e) {
                throw StoreError("migrating " + db.path() + " to schema version " + std::to_string(found + 1) +
                                     " failed: " + e.what(),
                                 e.kind());
            }
        } catch (...) {
            db.rollback_quietly();
            throw;
        }
    }
}

}  // namespace gridgate::store::schema
