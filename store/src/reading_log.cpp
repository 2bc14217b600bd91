#include "gridgate/store/reading_log.hpp"

#include <cmath>
#include <filesystem>

#include "open_checks.hpp"
#include "reading_log_impl.hpp"
#include "schema.hpp"
#include "value_codec.hpp"

namespace gridgate::store {

namespace {

sqlite::Database open_and_check(const ReadingLogOptions& options) {
    sqlite::Database db(options.path, options.vfs);
    db.set_busy_timeout(options.busy_timeout);
    db.set_checkpoint_on_close(false);  // until the checks pass: a refused file stays untouched
    open_checks::before_open(db, ReadingLog::schema_version);
    // WAL: readers (the northbound sinks) never block the committer, and a commit
    // appends to one file instead of rewriting pages in place.
    {
        sqlite::Statement wal(db, "PRAGMA journal_mode=WAL");
        auto run = wal.run();
        run.step();
        if (run.text(0) != "wal")
            throw StoreError("cannot put " + options.path + " in WAL mode (journal_mode is " + run.text(0) + ")");
    }
    db.exec(options.sync == SyncMode::full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    schema::migrate(db, ReadingLog::schema_version);
    open_checks::after_migrate(db);
    db.set_checkpoint_on_close(true);
    return db;
}

bool exists(const std::string& path) {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
}

sqlite::Database open_writer(const ReadingLogOptions& options) {
    if (options.path.empty() || options.path == ":memory:" || options.path.starts_with("file:"))
        throw StoreError("reading log path must name a database file, got '" + options.path + "'");
    const bool had_wal = exists(options.path + "-wal");
    const bool had_shm = exists(options.path + "-shm");
    try {
        return open_and_check(options);
    } catch (const StoreError&) {
        // A refused file is left as it was found. SQLite opened a WAL file for a file in
        // WAL mode; if that is new and empty, it is ours to remove (a WAL that was there
        // before is never touched: it may hold the newest commits).
        std::error_code ec;
        if (!had_wal && std::filesystem::file_size(options.path + "-wal", ec) == 0 && !ec) {
            std::filesystem::remove(options.path + "-wal", ec);
            if (!had_shm) std::filesystem::remove(options.path + "-shm", ec);
        }
        throw;
    }
}

sqlite::Database open_reader(const ReadingLogOptions& options) {
    sqlite::Database db(options.path, options.vfs);
    db.set_busy_timeout(options.busy_timeout);
    db.exec("PRAGMA query_only=1");  // this connection must never write
    return db;
}

// ts is kept as µs from ts_base. Wrapping arithmetic makes that a bijection for every
// int64, so even an absurd timestamp from a confused meter round-trips instead of
// failing the whole transaction.
std::int64_t ts_to_row(TimestampUs ts, std::int64_t base) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(ts) - static_cast<std::uint64_t>(base));
}
TimestampUs ts_from_row(std::int64_t stored, std::int64_t base) {
    return static_cast<TimestampUs>(static_cast<std::uint64_t>(stored) + static_cast<std::uint64_t>(base));
}

constexpr const char* used_bytes_sql =
    "SELECT (page_count - freelist_count) * page_size "
    "FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()";

}  // namespace

ReadingLog::Impl::Impl(ReadingLogOptions o)
    : options(std::move(o)),
      writer(open_writer(options)),
      points(writer),
      insert_reading(writer, "INSERT INTO readings(seq, point, ts, value) VALUES(?1, ?2, ?3, ?4)"),
      select_meta(writer, "SELECT value FROM meta WHERE key = ?1"),
      update_last_seq(writer, "UPDATE meta SET value = ?1 WHERE key = 'last_seq'"),
      add_to_meta(writer, "UPDATE meta SET value = value + ?2 WHERE key = ?1"),
      upsert_cursor(writer,
                    "INSERT INTO cursors(sink, seq) VALUES(?1, ?2) "
                    "ON CONFLICT(sink) DO UPDATE SET seq = max(seq, excluded.seq)"),
      insert_audit(writer, "INSERT INTO audit(ts, kind, detail) VALUES(?1, ?2, ?3) RETURNING id"),
      writer_used_bytes(writer, used_bytes_sql),
      writer_first_seq(writer, "SELECT min(seq) FROM readings"),
      writer_cursor(writer, "SELECT seq FROM cursors WHERE sink = ?1"),
      writer_max_seq(writer, "SELECT max(seq) FROM readings"),
      writer_seq_ts_from(writer, "SELECT seq, ts FROM readings WHERE seq >= ?1 ORDER BY seq LIMIT 1"),
      delete_through(writer, "DELETE FROM readings WHERE seq <= ?1"),
      // Audit ids are max+1, and only the oldest are ever deleted, so they are contiguous.
      trim_audit(writer, "DELETE FROM audit WHERE id <= (SELECT max(id) FROM audit) - ?1"),
      writer_max_audit_id(writer, "SELECT max(id) FROM audit"),
      reader(open_reader(options)),
      // LEFT JOIN: a reading whose point row were somehow missing still goes out
      // (with empty names) instead of leaving a silent gap in the seq stream.
      select_after(reader,
                   "SELECT r.seq, p.meter, p.point, p.unit, p.source, r.ts, r.value, r.point "
                   "FROM readings r LEFT JOIN points p ON p.id = (r.point & " +
                       std::to_string(row_format::point_mask) +
                       ") "
                       "WHERE r.seq > ?1 ORDER BY r.seq LIMIT ?2"),
      select_cursor(reader, "SELECT seq FROM cursors WHERE sink = ?1"),
      // Two subqueries: SQLite answers each of min() and max() of the rowid from one
      // edge of the b-tree, but not both in one aggregate.
      select_seq_range(reader, "SELECT (SELECT min(seq) FROM readings), (SELECT max(seq) FROM readings)"),
      select_oldest_waiting_ts(reader,
                               "SELECT min(ts) FROM (SELECT ts FROM readings WHERE seq > ?1 ORDER BY seq LIMIT " +
                                   std::to_string(backlog_ts_scan_rows) + ")"),
      select_count(reader, "SELECT count(*) FROM readings"),
      reader_used_bytes(reader, used_bytes_sql),
      select_committed_last_seq(reader, "SELECT value FROM meta WHERE key = 'last_seq'"),
      select_audit(reader, "SELECT id, ts, kind, detail FROM audit WHERE id > ?1 ORDER BY id LIMIT ?2"),
      select_audit_counts(reader, "SELECT kind, count(*) FROM audit GROUP BY kind") {
    ts_base = static_cast<std::int64_t>(meta_locked("ts_base"));
    last_seq = load_last_seq();
    committed_last_seq.store(last_seq);
}

std::uint64_t ReadingLog::Impl::meta_locked(const char* key) {
    auto run = select_meta.run();
    run.bind(1, std::string_view(key));
    if (!run.step())
        throw StoreError("database " + options.path + " has no " + key + " record", StoreErrorKind::corrupt);
    return static_cast<std::uint64_t>(run.int64(0));
}

ReadingLog::Impl::SyncUpgrade::SyncUpgrade(sqlite::Database& db, bool active) : db_(db), active_(active) {
    // synchronous is a property of the connection, read at each commit, and cannot be
    // changed inside a transaction: set it before BEGIN. Under FULL a WAL commit fsyncs
    // the WAL file, which also makes every earlier unsynced commit in it durable (see
    // docs/store.md, "Durable submits").
    if (active_) db_.exec("PRAGMA synchronous=FULL");
}

ReadingLog::Impl::SyncUpgrade::~SyncUpgrade() {
    if (!active_) return;
    try {
        db_.exec("PRAGMA synchronous=NORMAL");
    } catch (const StoreError&) {
        // Only the connection's setting is changed, no I/O: this cannot fail in practice.
        // Staying at FULL would only cost speed, never data.
    }
}

std::uint64_t ReadingLog::Impl::load_last_seq() { return meta_locked("last_seq"); }

std::uint64_t ReadingLog::Impl::used_bytes_locked() {
    auto run = writer_used_bytes.run();
    run.step();
    return seq_from_sql(run.int64(0));
}

std::uint64_t ReadingLog::Impl::first_seq_locked() {
    auto run = writer_first_seq.run();
    run.step();
    return run.is_null(0) ? 0 : seq_from_sql(run.int64(0));
}

SeqRange ReadingLog::Impl::append_locked(const std::vector<Reading>& readings, bool synced) {
    const SeqRange range{last_seq + 1, last_seq + readings.size()};
    const SyncUpgrade upgrade(writer, synced && options.sync != SyncMode::full);
    writer.exec("BEGIN IMMEDIATE");
    try {
        std::uint64_t seq = range.first;
        for (const Reading& r : readings) {
            const std::int64_t point_id = points.id_for(r);
            if (point_id > row_format::point_mask)
                throw StoreError("database " + options.path + " has run out of point ids (more than " +
                                 std::to_string(row_format::point_mask) + " distinct points)");
            const std::int64_t point = point_id | (static_cast<std::int64_t>(r.quality) << row_format::quality_shift);
            auto run = insert_reading.run();
            run.bind(1, to_sql(seq++)).bind(2, point).bind(3, ts_to_row(r.ts_us, ts_base));
            const value_codec::Encoded value = value_codec::encode(r.value);
            switch (value.kind) {
                case value_codec::Encoded::Kind::null: run.bind_null(4); break;
                case value_codec::Encoded::Kind::integer: run.bind(4, value.integer); break;
                case value_codec::Encoded::Kind::real: run.bind(4, value.real); break;
            }
            run.execute();
        }
        update_last_seq.run().bind(1, to_sql(range.last)).execute();
        writer.exec("COMMIT");
    } catch (...) {
        writer.rollback_quietly();
        points.discard_staged();
        // Re-read rather than assume: whatever the file now says is the truth.
        try {
            last_seq = load_last_seq();
        } catch (const StoreError&) {
            // keep the old value; the next append will fail and retry this
        }
        throw;
    }
    points.commit_staged();
    last_seq = range.last;
    committed_last_seq.store(range.last);
    return range;
}

ReadingLog::ReadingLog(ReadingLogOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

ReadingLog::~ReadingLog() = default;

const std::string& ReadingLog::path() const { return impl_->options.path; }

const ReadingLogOptions& ReadingLog::options() const { return impl_->options; }

SeqRange ReadingLog::append(const std::vector<Reading>& readings) {
    if (readings.empty()) return {};
    std::lock_guard lock(impl_->write_mutex);
    return impl_->append_locked(readings, false);
}

SeqRange ReadingLog::append_synced(const std::vector<Reading>& readings) {
    if (readings.empty()) return {};
    std::lock_guard lock(impl_->write_mutex);
    return impl_->append_locked(readings, true);
}

std::vector<StoredReading> ReadingLog::read_after(std::uint64_t after_seq, std::size_t max_count) {
    std::vector<StoredReading> out;
    if (max_count == 0) return out;
    const auto limit = max_count > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())
                           ? std::numeric_limits<std::int64_t>::max()
                           : static_cast<std::int64_t>(max_count);
    std::lock_guard lock(impl_->read_mutex);
    auto run = impl_->select_after.run();
    run.bind(1, to_sql(after_seq)).bind(2, limit);
    while (run.step()) {
        StoredReading s;
        s.seq = seq_from_sql(run.int64(0));
        s.reading.meter = run.text(1);
        s.reading.point = run.text(2);
        s.reading.unit = run.text(3);
        s.reading.source = static_cast<Source>(run.int64(4));
        s.reading.ts_us = ts_from_row(run.int64(5), impl_->ts_base);
        if (run.is_null(6)) s.reading.value = std::numeric_limits<double>::quiet_NaN();
        else if (run.is_integer(6)) s.reading.value = value_codec::decode_integer(run.int64(6));
        else s.reading.value = run.real(6);
        s.reading.quality = static_cast<std::uint32_t>(static_cast<std::uint64_t>(run.int64(7)) >>
                                                       row_format::quality_shift);
        out.push_back(std::move(s));
    }
    return out;
}

std::uint64_t ReadingLog::cursor(std::string_view sink) {
    std::lock_guard lock(impl_->read_mutex);
    auto run = impl_->select_cursor.run();
    run.bind(1, sink);
    return run.step() ? seq_from_sql(run.int64(0)) : 0;
}

void ReadingLog::advance_cursor(std::string_view sink, std::uint64_t seq) {
    std::lock_guard lock(impl_->write_mutex);
    const std::uint64_t clamped = std::min(seq, impl_->last_seq);
    // A single statement is its own transaction, synced per SyncMode like an append.
    impl_->upsert_cursor.run().bind(1, sink).bind(2, to_sql(clamped)).execute();
}

std::uint64_t ReadingLog::last_seq() { return impl_->committed_last_seq.load(); }

BacklogInfo ReadingLog::backlog(std::string_view sink) {
    std::lock_guard lock(impl_->read_mutex);
    // One read transaction, so cursor, last_seq and the count come from one snapshot.
    // The quota deletes only from the oldest end, so the readings held are exactly the
    // seqs first..last and the count needs no scan.
    impl_->reader.exec("BEGIN");
    try {
        BacklogInfo info;
        {
            auto run = impl_->select_cursor.run();
            run.bind(1, sink);
            if (run.step()) info.cursor = seq_from_sql(run.int64(0));
        }
        std::uint64_t first = 0;
        std::uint64_t last = 0;
        {
            auto run = impl_->select_seq_range.run();
            run.step();
            if (!run.is_null(0)) {
                first = seq_from_sql(run.int64(0));
                last = seq_from_sql(run.int64(1));
            }
        }
        const std::uint64_t acknowledged = first == 0 ? info.cursor : std::max(info.cursor, first - 1);
        info.readings = last > acknowledged ? last - acknowledged : 0;
        if (info.readings > 0) {
            auto run = impl_->select_oldest_waiting_ts.run();
            run.bind(1, to_sql(acknowledged));
            run.step();
            if (!run.is_null(0)) info.oldest_ts_us = ts_from_row(run.int64(0), impl_->ts_base);
        }
        {
            auto run = impl_->select_committed_last_seq.run();
            if (run.step()) info.last_seq = seq_from_sql(run.int64(0));
        }
        impl_->reader.exec("COMMIT");
        return info;
    } catch (...) {
        impl_->reader.rollback_quietly();
        throw;
    }
}

std::uint64_t ReadingLog::reading_count() {
    std::lock_guard lock(impl_->read_mutex);
    auto run = impl_->select_count.run();
    run.step();
    return seq_from_sql(run.int64(0));
}

std::uint64_t ReadingLog::first_seq() {
    std::lock_guard lock(impl_->read_mutex);
    auto run = impl_->select_seq_range.run();
    run.step();
    return run.is_null(0) ? 0 : seq_from_sql(run.int64(0));
}

std::uint64_t ReadingLog::used_bytes() {
    std::lock_guard lock(impl_->read_mutex);
    auto run = impl_->reader_used_bytes.run();
    run.step();
    return seq_from_sql(run.int64(0));
}

std::optional<TimestampUs> ReadingLog::latest_ts(std::string_view meter, const std::vector<std::string>& points) {
    if (points.empty()) return std::nullopt;
    std::string names = "[";
    for (const auto& p : points) {
        if (names.size() > 1) names += ',';
        names += '"';
        for (char c : p) {
            if (c == '"' || c == '\\') names += '\\';
            names += c;
        }
        names += '"';
    }
    names += ']';
    std::lock_guard lock(impl_->read_mutex);
    // Newest first by seq: the last stored profile interval is near the end of the log,
    // so the scan stops early (a meter silent for long scans further, once, at start).
    sqlite::Statement select(impl_->reader,
                             "SELECT ts FROM readings WHERE (point & 16777215) IN "
                             "(SELECT id FROM points WHERE meter = ?1 AND point IN (SELECT value FROM json_each(?2))) "
                             "ORDER BY seq DESC LIMIT 1");
    auto run = select.run();
    run.bind(1, meter).bind(2, std::string_view(names));
    if (!run.step() || run.is_null(0)) return std::nullopt;
    return ts_from_row(run.int64(0), impl_->ts_base);
}

}  // namespace gridgate::store
