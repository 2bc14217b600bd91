#pragma once
// ReadingLog's state, shared by the files that implement it (reading_log.cpp: readings
// and cursors; audit_log.cpp; quota.cpp). Two connections: the writer (appends, cursors,
// audit, quota deletes) and a reader for the sinks. In WAL mode the reader sees the last
// committed state and is never blocked by a commit in progress, so an fsync on slow
// flash does not stall northbound. Each has its own mutex.
#include <atomic>
#include <cstdint>
#include <limits>
#include <mutex>
#include <span>
#include <string>

#include "gridgate/store/reading_log.hpp"
#include "point_dictionary.hpp"
#include "sqlite.hpp"

namespace gridgate::store {

namespace row_format {
// readings.point = points.id | quality << 24 (schema 3): a good reading has no quality bits.
inline constexpr int quality_shift = 24;
inline constexpr std::int64_t point_mask = (std::int64_t{1} << quality_shift) - 1;
}  // namespace row_format

inline std::int64_t to_sql(std::uint64_t seq) {
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(seq > max ? max : seq);
}

inline std::uint64_t seq_from_sql(std::int64_t value) { return value < 0 ? 0 : static_cast<std::uint64_t>(value); }

struct ReadingLog::Impl {
    explicit Impl(ReadingLogOptions o);

    // Raises the writer to synchronous=FULL for one transaction (when active) and back
    // to NORMAL afterwards.
    class SyncUpgrade {
    public:
        SyncUpgrade(sqlite::Database& db, bool active);
        ~SyncUpgrade();
        SyncUpgrade(const SyncUpgrade&) = delete;
        SyncUpgrade& operator=(const SyncUpgrade&) = delete;

    private:
        sqlite::Database& db_;
        bool active_;
    };

    std::uint64_t load_last_seq();
    // synced: commit with synchronous=FULL even under SyncMode::normal.
    SeqRange append_locked(const std::vector<Reading>& readings, bool synced);
    std::uint64_t used_bytes_locked();   // writer connection; caller holds write_mutex
    std::uint64_t first_seq_locked();    // writer connection
    std::uint64_t meta_locked(const char* key);
    std::uint64_t append_audit_locked(std::string_view kind, std::string_view detail_json, TimestampUs ts_us);

    // quota.cpp
    struct QuotaPass;
    QuotaReport enforce_quota(const QuotaOptions& quota, std::span<const std::string> sinks, TimestampUs now_us);
    QuotaReport quota_state();

    ReadingLogOptions options;

    std::mutex write_mutex;  // guards writer, its statements, points, last_seq
    sqlite::Database writer;
    std::int64_t ts_base = 0;  // meta.ts_base: readings.ts is µs from it
    PointDictionary points;
    sqlite::Statement insert_reading;
    sqlite::Statement select_meta;
    sqlite::Statement update_last_seq;
    sqlite::Statement add_to_meta;
    sqlite::Statement upsert_cursor;
    sqlite::Statement insert_audit;
    sqlite::Statement writer_used_bytes;
    sqlite::Statement writer_first_seq;
    sqlite::Statement writer_cursor;
    sqlite::Statement writer_max_seq;
    sqlite::Statement writer_seq_ts_from;
    sqlite::Statement delete_through;
    sqlite::Statement trim_audit;
    sqlite::Statement writer_max_audit_id;
    std::uint64_t last_seq = 0;
    std::atomic<std::uint64_t> committed_last_seq{0};

    std::mutex read_mutex;  // guards reader and its statements
    sqlite::Database reader;
    sqlite::Statement select_after;
    sqlite::Statement select_cursor;
    sqlite::Statement select_seq_range;
    sqlite::Statement select_oldest_waiting_ts;
    sqlite::Statement select_count;
    sqlite::Statement reader_used_bytes;
    sqlite::Statement select_committed_last_seq;
    sqlite::Statement select_audit;
    sqlite::Statement select_audit_counts;
};

// How far backlog() looks for the oldest timestamp among waiting readings: refilled
// profile data can be older than readings before it, but scanning a whole 1 GB backlog
// on every status request would stall the sinks' reads.
inline constexpr std::int64_t backlog_ts_scan_rows = 10'000;

}  // namespace gridgate::store
