#pragma once
// FileIndex's state, shared by the files that implement it (file_index.cpp: opening,
// adding, lookups; file_index_outbox.cpp: deliveries and meter-side deletion;
// file_index_quota.cpp: eviction and counters). One connection of its own to the reading
// log's file, guarded by one mutex: the index sees a few writes an hour, so a second
// (reader) connection would buy nothing. Schema: migration 4 in schema.cpp.
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "gridgate/store/file_index.hpp"
#include "sqlite.hpp"

namespace gridgate::store {

namespace file_sql {

inline std::int64_t to_sql(std::uint64_t value) {
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(value > max ? max : value);
}

inline std::uint64_t from_sql(std::int64_t value) { return value < 0 ? 0 : static_cast<std::uint64_t>(value); }

// The columns FileRecord is read from (record_from), for a files table aliased `f`.
inline constexpr const char* record_columns =
    "f.id, f.meter, f.name, f.spool_name, f.size, f.sha256, f.source, f.meter_mtime, f.received, "
    "f.type_bits, f.name_time, f.well_formed, f.pqdif, f.deleted_on_meter, f.evicted";

// True when every sink named in the JSON array ?1 has a delivery row for file f. With no
// sinks nothing counts as delivered, as with the reading log's quota: a gateway without
// file sinks must never delete a meter's copy or count an eviction as harmless.
inline constexpr const char* all_sinks_delivered =
    "(json_array_length(?1) > 0 AND "
    "(SELECT count(*) FROM deliveries d WHERE d.file_id = f.id AND d.sink IN (SELECT value FROM json_each(?1))) = "
    "(SELECT count(DISTINCT value) FROM json_each(?1)))";

// ["a","b"]: how a list of sink names is handed to SQLite (json_each) as one parameter.
std::string json_array(std::span<const std::string> items);

// A FileRecord from a row selected with record_columns first.
FileRecord record_from(const sqlite::Statement::Run& run);

// BEGIN IMMEDIATE (the write lock first: no deadlock with the reading log's writer, only a
// wait up to busy_timeout); rolled back unless commit() was reached.
class WriteTransaction {
public:
    explicit WriteTransaction(sqlite::Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
    ~WriteTransaction() {
        if (!committed_) db_.rollback_quietly();
    }
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;
    void commit() {
        db_.exec("COMMIT");
        committed_ = true;
    }

private:
    sqlite::Database& db_;
    bool committed_ = false;
};

}  // namespace file_sql

struct FileIndex::Impl {
    Impl(std::string db_path, std::string spool_dir);

    // Caller holds mutex and an open write transaction.
    FileAdd add_locked(const FileRecord& record);
    // Writes an audit row (a gateway event); adds "file_id" to the detail when given.
    void insert_audit_locked(TimestampUs ts_us, std::string_view kind, std::string_view detail_json,
                             std::optional<std::uint64_t> file_id);
    void add_to_meta_locked(const char* key, std::uint64_t amount);
    bool file_exists_locked(std::uint64_t id);
    // Throws StoreError unless json is a JSON object. `what` names it in the message.
    void require_object_locked(std::string_view json, std::string_view what);

    std::string spool_dir;
    std::mutex mutex;  // guards db and every statement
    sqlite::Database db;
    sqlite::Statement insert_file;
    sqlite::Statement select_id_by_name;
    sqlite::Statement select_by_name;
    sqlite::Statement select_by_id;
    sqlite::Statement select_list;
    sqlite::Statement select_deliveries;
    sqlite::Statement select_exists;
    sqlite::Statement select_is_object;
    sqlite::Statement insert_audit;
    sqlite::Statement add_to_meta;
    // file_index_outbox.cpp
    sqlite::Statement select_next_undelivered;
    sqlite::Statement insert_delivery;
    sqlite::Statement select_delivered_not_deleted;
    sqlite::Statement update_deleted_on_meter;
    // file_index_quota.cpp
    sqlite::Statement select_undelivered_count;
    sqlite::Statement select_eviction_candidates;
    sqlite::Statement select_eviction_target;
    sqlite::Statement update_evicted;
    sqlite::Statement select_counters;
};

}  // namespace gridgate::store
