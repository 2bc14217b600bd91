#include "gridgate/store/reading_log.hpp"

#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>

#include "point_dictionary.hpp"
#include "schema.hpp"
#include "sqlite.hpp"

namespace gridgate::store {

namespace {

std::int64_t to_sql(std::uint64_t seq) {
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(seq > max ? max : seq);
}

std::uint64_t seq_from_sql(std::int64_t value) { return value < 0 ? 0 : static_cast<std::uint64_t>(value); }

sqlite::Database open_writer(const ReadingLogOptions& options) {
    if (options.path.empty() || options.path == ":memory:" || options.path.starts_with("file:"))
        throw StoreError("reading log path must name a database file, got '" + options.path + "'");
    sqlite::Database db(options.path);
    db.set_busy_timeout(options.busy_timeout);
    schema::check_before_open(db, ReadingLog::schema_version);
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
    return db;
}

sqlite::Database open_reader(const ReadingLogOptions& options) {
    sqlite::Database db(options.path);
    db.set_busy_timeout(options.busy_timeout);
    db.exec("PRAGMA query_only=1");  // this connection must never write
    return db;
}

}  // namespace

// Two connections: the writer (append, cursors) and a reader for the sinks. In WAL mode
// the reader sees the last committed state and is never blocked by a commit in progress,
// so an fsync on slow flash does not stall northbound. Each has its own mutex.
struct ReadingLog::Impl {
    explicit Impl(ReadingLogOptions o)
        : options(std::move(o)),
          writer(open_writer(options)),
          points(writer),
          insert_reading(writer, "INSERT INTO readings(seq, point_id, ts, value, quality) VALUES(?1, ?2, ?3, ?4, ?5)"),
          select_last_seq(writer, "SELECT value FROM meta WHERE key = 'last_seq'"),
          update_last_seq(writer, "UPDATE meta SET value = ?1 WHERE key = 'last_seq'"),
          upsert_cursor(writer,
                        "INSERT INTO cursors(sink, seq) VALUES(?1, ?2) "
                        "ON CONFLICT(sink) DO UPDATE SET seq = max(seq, excluded.seq)"),
          reader(open_reader(options)),
          // LEFT JOIN: a reading whose point row were somehow missing still goes out
          // (with empty names) instead of leaving a silent gap in the seq stream.
          select_after(reader,
                       "SELECT r.seq, p.meter, p.point, p.unit, p.source, r.ts, r.value, r.quality "
                       "FROM readings r LEFT JOIN points p ON p.id = r.point_id "
                       "WHERE r.seq > ?1 ORDER BY r.seq LIMIT ?2"),
          select_cursor(reader, "SELECT seq FROM cursors WHERE sink = ?1"),
          select_backlog(reader, "SELECT count(*), min(ts) FROM readings WHERE seq > ?1"),
          select_count(reader, "SELECT count(*) FROM readings"),
          select_committed_last_seq(reader, "SELECT value FROM meta WHERE key = 'last_seq'") {
        last_seq = load_last_seq();
        committed_last_seq.store(last_seq);
        check_seq_consistency();
    }

    std::uint64_t load_last_seq() {
        auto run = select_last_seq.run();
        if (!run.step()) throw StoreError("database " + options.path + " has no last_seq record", StoreErrorKind::corrupt);
        return seq_from_sql(run.int64(0));
    }

    // last_seq is the high-water mark that keeps seq from ever being reused, even after
    // old rows are deleted; a row above it means the file was edited or damaged.
    void check_seq_consistency() {
        sqlite::Statement max_seq(writer, "SELECT max(seq) FROM readings");
        auto run = max_seq.run();
        run.step();
        if (!run.is_null(0) && seq_from_sql(run.int64(0)) > last_seq)
            throw StoreError("database " + options.path + " holds reading seq " + std::to_string(run.int64(0)) +
                                 " above its last_seq " + std::to_string(last_seq) + "; refusing to open it",
                             StoreErrorKind::corrupt);
    }

    SeqRange append_locked(const std::vector<Reading>& readings) {
        const SeqRange range{last_seq + 1, last_seq + readings.size()};
        writer.exec("BEGIN IMMEDIATE");
        try {
            std::uint64_t seq = range.first;
            for (const Reading& r : readings) {
                const std::int64_t point_id = points.id_for(r);
                auto run = insert_reading.run();
                run.bind(1, to_sql(seq++)).bind(2, point_id).bind(3, std::int64_t{r.ts_us});
                // SQLite stores NaN as NULL anyway; say so explicitly and map it back on read.
                if (std::isnan(r.value)) run.bind_null(4);
                else run.bind(4, r.value);
                run.bind(5, static_cast<std::int64_t>(r.quality));
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

    ReadingLogOptions options;

    std::mutex write_mutex;  // guards writer, its statements, points, last_seq
    sqlite::Database writer;
    PointDictionary points;
    sqlite::Statement insert_reading;
    sqlite::Statement select_last_seq;
    sqlite::Statement update_last_seq;
    sqlite::Statement upsert_cursor;
    std::uint64_t last_seq = 0;
    std::atomic<std::uint64_t> committed_last_seq{0};

    std::mutex read_mutex;  // guards reader and its statements
    sqlite::Database reader;
    sqlite::Statement select_after;
    sqlite::Statement select_cursor;
    sqlite::Statement select_backlog;
    sqlite::Statement select_count;
    sqlite::Statement select_committed_last_seq;
};

ReadingLog::ReadingLog(ReadingLogOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

ReadingLog::~ReadingLog() = default;

const std::string& ReadingLog::path() const { return impl_->options.path; }

SeqRange ReadingLog::append(const std::vector<Reading>& readings) {
    if (readings.empty()) return {};
    std::lock_guard lock(impl_->write_mutex);
    return impl_->append_locked(readings);
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
        s.reading.ts_us = run.int64(5);
        s.reading.value = run.is_null(6) ? std::numeric_limits<double>::quiet_NaN() : run.real(6);
        s.reading.quality = static_cast<std::uint32_t>(run.int64(7));
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
    impl_->reader.exec("BEGIN");
    try {
        BacklogInfo info;
        {
            auto run = impl_->select_cursor.run();
            run.bind(1, sink);
            if (run.step()) info.cursor = seq_from_sql(run.int64(0));
        }
        {
            auto run = impl_->select_backlog.run();
            run.bind(1, to_sql(info.cursor));
            run.step();
            info.readings = seq_from_sql(run.int64(0));
            info.oldest_ts_us = run.is_null(1) ? 0 : run.int64(1);
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

}  // namespace gridgate::store
