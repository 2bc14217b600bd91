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

    // 2: the audit log (quota drops, disk full, recoveries: what an operator must be able
    // to find later), and the quota's lifetime counters.
    R"sql(
CREATE TABLE audit(
    id     INTEGER PRIMARY KEY,
    ts     INTEGER NOT NULL,
    kind   TEXT NOT NULL,
    detail TEXT NOT NULL CHECK (json_valid(detail) AND json_type(detail) = 'object')
);
INSERT INTO meta(key, value) VALUES('pruned_acked', 0), ('dropped_unacked', 0);
)sql",

    // 3: the compact reading row (docs/store.md, "Bytes per reading"). `point` packs the
    // points.id with the quality flags above bit 24, so a good reading's row has no
    // quality column at all; `ts` is µs from meta.ts_base, which is put 4 years after the
    // file's creation so readings from then to 8 years later fit SQLite's 6-byte integer;
    // `value` has no type (no affinity) so it keeps the INTEGER or REAL it is given
    // (store/src/value_codec.hpp). v1/v2 rows are copied over with their REAL values.
    R"sql(
INSERT INTO meta(key, value)
    VALUES('ts_base', (CAST(strftime('%s', 'now') AS INTEGER) + 126230400) * 1000000);
CREATE TABLE readings_v3(
    seq   INTEGER PRIMARY KEY,
    point INTEGER NOT NULL,
    ts    INTEGER NOT NULL,
    value
);
INSERT INTO readings_v3(seq, point, ts, value)
    SELECT seq, point_id | (quality << 24), ts - (SELECT value FROM meta WHERE key = 'ts_base'), value
    FROM readings ORDER BY seq;
DROP TABLE readings;
ALTER TABLE readings_v3 RENAME TO readings;
)sql",

    // 4: the file spool's index (docs/store.md, "File index"; store/src/file_index*.cpp):
    // a row per file taken from a meter, a row per (file, file sink) delivery, and the
    // spool's lifetime counters. File rows are never deleted (an evicted file keeps its
    // row as the record of what happened to it), so ids are max+1 and never reused.
    // `evicted` is NULL while the spooled copy is held; the partial index makes the
    // held files (few, bounded by the spool quota) cheap to walk and sum.
    R"sql(
CREATE TABLE files(
    id               INTEGER PRIMARY KEY,
    meter            TEXT NOT NULL,
    name             TEXT NOT NULL,
    spool_name       TEXT NOT NULL,
    size             INTEGER NOT NULL,
    sha256           TEXT NOT NULL,
    source           TEXT NOT NULL,
    meter_mtime      INTEGER NOT NULL,
    received         INTEGER NOT NULL,
    type_bits        INTEGER NOT NULL,
    name_time        INTEGER NOT NULL,
    well_formed      INTEGER NOT NULL,
    pqdif            TEXT NOT NULL CHECK (pqdif = '' OR (json_valid(pqdif) AND json_type(pqdif) = 'object')),
    deleted_on_meter INTEGER NOT NULL DEFAULT 0,
    evicted          INTEGER,
    UNIQUE(meter, name)
);
CREATE INDEX files_held ON files(id, size) WHERE evicted IS NULL;

CREATE TABLE deliveries(
    file_id     INTEGER NOT NULL REFERENCES files(id),
    sink        TEXT NOT NULL,
    delivered   INTEGER NOT NULL,
    remote_path TEXT NOT NULL,
    PRIMARY KEY(file_id, sink)
) WITHOUT ROWID;

INSERT INTO meta(key, value)
    VALUES('spool_files_added', 0), ('spool_evicted_delivered', 0), ('spool_evicted_undelivered', 0);
)sql",
};

}  // namespace

std::string newer_version_message(int found, int supported, const std::string& path) {
    return "database schema version " + std::to_string(found) +
           " is newer than this gridgated supports (" + std::to_string(supported) +
           "); refusing to open " + path;
}

int version_of(sqlite::Database& db) {
    sqlite::Statement statement(db, "PRAGMA user_version");
    auto run = statement.run();
    run.step();
    return static_cast<int>(run.int64(0));
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
                throw StoreError(newer_version_message(found, supported, db.path()), StoreErrorKind::schema_newer);
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
