// FileIndex: opening its connection, indexing files (with or without an event), lookups.
// Deliveries: file_index_outbox.cpp; quota and counters: file_index_quota.cpp.
#include "gridgate/store/file_index.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "file_index_impl.hpp"
#include "gridgate/core/clock.hpp"
#include "gridgate/store/reading_log.hpp"
#include "schema.hpp"

namespace gridgate::store {

namespace {

constexpr int first_version_with_files = 4;

sqlite::Database open_index(const std::string& path) {
    // SQLite would create a missing file; the index never creates the store, ReadingLog does.
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw StoreError("file index: no database at " + path + " (open it with ReadingLog first)");
    sqlite::Database db(path);
    db.set_busy_timeout(std::chrono::seconds(5));  // the reading log's writer holds the lock briefly
    const int version = schema::version_of(db);
    if (version < first_version_with_files)
        throw StoreError("file index: database " + path + " is at schema version " + std::to_string(version) +
                         ", the file index needs " + std::to_string(first_version_with_files) +
                         " (open it with ReadingLog first)");
    if (version > ReadingLog::schema_version)
        throw StoreError(schema::newer_version_message(version, ReadingLog::schema_version, path),
                         StoreErrorKind::schema_newer);
    // The mode is the file's (ReadingLog set it); synchronous is this connection's own:
    // FULL fsyncs the WAL at every commit, whatever the reading log's SyncMode, because a
    // meter may delete its copy of a file once the file's row is here.
    db.exec("PRAGMA journal_mode=WAL");
    db.exec("PRAGMA synchronous=FULL");
    return db;
}

std::string select_records(const std::string& tail) {
    return std::string("SELECT ") + file_sql::record_columns + " FROM files f " + tail;
}

}  // namespace

namespace file_sql {

std::string json_array(std::span<const std::string> items) {
    std::string out = "[";
    for (const std::string& item : items) {
        if (out.size() > 1) out += ',';
        out += '"';
        for (const char c : item) {
            if (c == '"' || c == '\\') {
                out += '\\';
                out += c;
            } else if (static_cast<unsigned char>(c) < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
                out += escaped;
            } else {
                out += c;
            }
        }
        out += '"';
    }
    return out + "]";
}

FileRecord record_from(const sqlite::Statement::Run& run) {
    FileRecord r;
    r.id = from_sql(run.int64(0));
    r.meter = run.text(1);
    r.name = run.text(2);
    r.spool_name = run.text(3);
    r.size = from_sql(run.int64(4));
    r.sha256 = run.text(5);
    r.source = run.text(6);
    r.meter_mtime_s = run.int64(7);
    r.received_us = run.int64(8);
    r.type_bits = static_cast<std::uint32_t>(run.int64(9));
    r.name_time_us = run.int64(10);
    r.well_formed = run.int64(11) != 0;
    r.check_json = run.text(12);
    r.deleted_on_meter = run.int64(13) != 0;
    r.evicted = !run.is_null(14);
    r.evicted_us = r.evicted ? run.int64(14) : 0;
    return r;
}

}  // namespace file_sql

FileIndex::Impl::Impl(std::string db_path, std::string dir)
    : spool_dir(std::move(dir)),
      db(open_index(db_path)),
      // DO NOTHING + RETURNING: a row comes back only when the file is new.
      insert_file(db,
                  "INSERT INTO files(meter, name, spool_name, size, sha256, source, meter_mtime, received, "
                  "type_bits, name_time, well_formed, pqdif) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
                  "ON CONFLICT(meter, name) DO NOTHING RETURNING id"),
      select_id_by_name(db, "SELECT id FROM files WHERE meter = ?1 AND name = ?2"),
      select_by_name(db, select_records("WHERE f.meter = ?1 AND f.name = ?2")),
      select_by_id(db, select_records("WHERE f.id = ?1")),
      select_list(db, select_records("WHERE f.id > ?1 ORDER BY f.id LIMIT ?2")),
      select_deliveries(db,
                        "SELECT sink, delivered, remote_path FROM deliveries WHERE file_id = ?1 "
                        "ORDER BY delivered, sink"),
      select_exists(db, "SELECT count(*) FROM files WHERE id = ?1"),
      // CASE, not AND: json_type() raises an error on malformed text instead of answering.
      select_is_object(db, "SELECT CASE WHEN json_valid(?1) THEN json_type(?1) = 'object' ELSE 0 END"),
      insert_audit(db,
                   "INSERT INTO audit(ts, kind, detail) VALUES(?1, ?2, "
                   "CASE WHEN ?4 IS NULL THEN ?3 ELSE json_set(?3, '$.file_id', ?4) END)"),
      add_to_meta(db, "UPDATE meta SET value = value + ?2 WHERE key = ?1"),
      select_next_undelivered(
          db,
          "SELECT f.id, f.meter, f.name, f.spool_name, f.size, f.sha256, f.received, "
          "json_object('source', f.source, 'type_bits', f.type_bits, 'name_time', f.name_time, "
          "'meter_mtime', f.meter_mtime, 'well_formed', json(CASE WHEN f.well_formed THEN 'true' ELSE 'false' END), "
          "'pqdif', CASE WHEN f.pqdif = '' THEN NULL ELSE json(f.pqdif) END) "
          "FROM files f WHERE f.evicted IS NULL AND f.id > ?2 AND NOT EXISTS "
          "(SELECT 1 FROM deliveries d WHERE d.file_id = f.id AND d.sink = ?1) ORDER BY f.id LIMIT 1"),
      insert_delivery(db,
                      "INSERT INTO deliveries(file_id, sink, delivered, remote_path) VALUES(?1, ?2, ?3, ?4) "
                      "ON CONFLICT(file_id, sink) DO NOTHING"),
      select_delivered_not_deleted(db,
                                   select_records(std::string("WHERE f.meter = ?2 AND f.deleted_on_meter = 0 AND ") +
                                                  file_sql::all_sinks_delivered + " ORDER BY f.id")),
      update_deleted_on_meter(db, "UPDATE files SET deleted_on_meter = 1 WHERE id = ?1"),
      select_undelivered_count(db, std::string("SELECT count(*) FROM files f WHERE f.evicted IS NULL AND NOT ") +
                                       file_sql::all_sinks_delivered),
      select_eviction_candidates(db, select_records(std::string("WHERE f.evicted IS NULL ORDER BY ") +
                                                    file_sql::all_sinks_delivered + " DESC, f.id LIMIT ?2")),
      select_eviction_target(db, std::string("SELECT f.meter, f.name, f.size, f.sha256, f.evicted IS NOT NULL, ") +
                                     file_sql::all_sinks_delivered + " FROM files f WHERE f.id = ?2"),
      update_evicted(db, "UPDATE files SET evicted = ?2 WHERE id = ?1"),
      select_counters(db,
                      "SELECT (SELECT value FROM meta WHERE key = 'spool_files_added'), "
                      "(SELECT value FROM meta WHERE key = 'spool_evicted_delivered'), "
                      "(SELECT value FROM meta WHERE key = 'spool_evicted_undelivered'), "
                      "count(*), coalesce(sum(size), 0) FROM files WHERE evicted IS NULL") {}

FileAdd FileIndex::Impl::add_locked(const FileRecord& r) {
    std::optional<std::uint64_t> id;
    {
        auto run = insert_file.run();
        run.bind(1, r.meter).bind(2, r.name).bind(3, r.spool_name).bind(4, file_sql::to_sql(r.size));
        run.bind(5, r.sha256).bind(6, r.source).bind(7, r.meter_mtime_s).bind(8, std::int64_t{r.received_us});
        run.bind(9, std::int64_t{r.type_bits}).bind(10, std::int64_t{r.name_time_us});
        run.bind(11, std::int64_t{r.well_formed ? 1 : 0}).bind(12, r.check_json);
        if (run.step()) {
            id = file_sql::from_sql(run.int64(0));
            // Only after a row: stepping a finished statement again would run it again.
            run.execute();
        }
    }
    if (!id) {
        auto run = select_id_by_name.run();
        run.bind(1, r.meter).bind(2, r.name);
        run.step();
        return FileAdd{file_sql::from_sql(run.int64(0)), false};
    }
    add_to_meta_locked("spool_files_added", 1);
    return FileAdd{*id, true};
}

void FileIndex::Impl::insert_audit_locked(TimestampUs ts_us, std::string_view kind, std::string_view detail_json,
                                          std::optional<std::uint64_t> file_id) {
    require_object_locked(detail_json, std::string("the detail of event ") + std::string(kind));
    auto run = insert_audit.run();
    run.bind(1, std::int64_t{ts_us}).bind(2, kind).bind(3, detail_json);
    if (file_id) run.bind(4, file_sql::to_sql(*file_id));
    run.execute();
}

void FileIndex::Impl::add_to_meta_locked(const char* key, std::uint64_t amount) {
    add_to_meta.run().bind(1, std::string_view(key)).bind(2, file_sql::to_sql(amount)).execute();
}

bool FileIndex::Impl::file_exists_locked(std::uint64_t id) {
    auto run = select_exists.run();
    run.bind(1, file_sql::to_sql(id));
    run.step();
    return run.int64(0) > 0;
}

void FileIndex::Impl::require_object_locked(std::string_view json, std::string_view what) {
    auto run = select_is_object.run();
    run.bind(1, json);
    run.step();
    if (run.int64(0) == 0) throw StoreError("file index: " + std::string(what) + " is not a JSON object");
}

FileIndex::FileIndex(std::string db_path, std::string spool_dir)
    : impl_(std::make_unique<Impl>(std::move(db_path), std::move(spool_dir))) {}

FileIndex::~FileIndex() = default;

FileAdd FileIndex::add(const FileRecord& record) {
    std::lock_guard lock(impl_->mutex);
    file_sql::WriteTransaction transaction(impl_->db);
    const FileAdd result = impl_->add_locked(record);
    transaction.commit();
    return result;
}

FileAdd FileIndex::add_with_event(const std::optional<FileRecord>& record, std::string_view event_kind,
                                  std::string_view event_detail_json) {
    std::lock_guard lock(impl_->mutex);
    file_sql::WriteTransaction transaction(impl_->db);
    FileAdd result;
    if (record) result = impl_->add_locked(*record);
    // A repeated notification (the meter retried after a lost 200) is still an event of
    // its own; its file_id is the row the first one indexed.
    impl_->insert_audit_locked(SystemClock().now_utc_us(), event_kind, event_detail_json,
                               record ? std::optional<std::uint64_t>(result.id) : std::nullopt);
    transaction.commit();
    return result;
}

std::optional<FileRecord> FileIndex::find(std::string_view meter, std::string_view name) {
    std::lock_guard lock(impl_->mutex);
    auto run = impl_->select_by_name.run();
    run.bind(1, meter).bind(2, name);
    if (!run.step()) return std::nullopt;
    return file_sql::record_from(run);
}

std::optional<FileRecord> FileIndex::get(std::uint64_t id) {
    std::lock_guard lock(impl_->mutex);
    auto run = impl_->select_by_id.run();
    run.bind(1, file_sql::to_sql(id));
    if (!run.step()) return std::nullopt;
    return file_sql::record_from(run);
}

std::vector<FileRecord> FileIndex::list(std::uint64_t after_id, std::size_t max_count) {
    std::vector<FileRecord> out;
    if (max_count == 0) return out;
    std::lock_guard lock(impl_->mutex);
    auto run = impl_->select_list.run();
    run.bind(1, file_sql::to_sql(after_id)).bind(2, file_sql::to_sql(max_count));
    while (run.step()) out.push_back(file_sql::record_from(run));
    return out;
}

std::vector<FileDelivery> FileIndex::deliveries(std::uint64_t id) {
    std::vector<FileDelivery> out;
    std::lock_guard lock(impl_->mutex);
    auto run = impl_->select_deliveries.run();
    run.bind(1, file_sql::to_sql(id));
    while (run.step()) out.push_back(FileDelivery{run.text(0), run.int64(1), run.text(2)});
    return out;
}

}  // namespace gridgate::store
