#pragma once
// The durable reading log in SQLite (WAL). Gives each committed reading a gapless,
// monotonically increasing seq, keeps per-sink cursors, and implements Outbox for the
// northbound sinks; its audit log doubles as the gateway's event log (EventSink in,
// EventOutbox out). Thread-safe. Schema, seq and fsync policy: docs/store.md.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/reading.hpp"
#include "gridgate/core/time.hpp"
#include "gridgate/store/audit.hpp"
#include "gridgate/store/quota.hpp"
#include "gridgate/store/store_error.hpp"

namespace gridgate::store {

enum class SyncMode {
    full,    // fsync on every commit (PRAGMA synchronous=FULL): survives power cuts
    normal,  // WAL checkpoints synced only: survives process crashes, may lose the last commits on power cut
};

struct ReadingLogOptions {
    std::string path;               // database file (a real file: WAL needs one; not ":memory:")
    SyncMode sync = SyncMode::full;
    Duration busy_timeout = std::chrono::seconds(5);  // wait for another process's lock
    std::string vfs = {};  // SQLite VFS name; empty = the default. Tests select the fault shim here.
};

struct SeqRange {
    std::uint64_t first = 0;  // 0,0 when nothing was appended
    std::uint64_t last = 0;

    std::uint64_t count() const { return last == 0 ? 0 : last - first + 1; }
    friend bool operator==(const SeqRange&, const SeqRange&) = default;
};

class ReadingLog final : public Outbox, public EventSink, public EventOutbox {
public:
    // Opens/creates and migrates. Throws StoreError when the file cannot be opened, is
    // not a database or fails the open-time check (kind corrupt), or has a newer schema
    // version (schema_newer). open_or_recover() (open_or_recover.hpp) moves a corrupt
    // file aside instead.
    explicit ReadingLog(ReadingLogOptions options);
    ~ReadingLog() override;
    ReadingLog(const ReadingLog&) = delete;
    ReadingLog& operator=(const ReadingLog&) = delete;

    // 1: reading log, points, cursors; 2: audit log; 3: compact reading rows;
    // 4: the file spool's index (files, deliveries, spool counters: FileIndex).
    static constexpr int schema_version = 4;

    // Appends all readings in one transaction; durable (per SyncMode) on return.
    // On failure the transaction is rolled back, nothing is assigned a seq, and
    // StoreError is thrown.
    SeqRange append(const std::vector<Reading>& readings);
    // append(), fsynced before it returns whatever the SyncMode: under SyncMode::normal
    // this one transaction is committed with synchronous=FULL, and the fsync of the WAL
    // makes every earlier commit durable with it. For readings a meter waits to have
    // confirmed (GroupCommitter::submit_durable).
    SeqRange append_synced(const std::vector<Reading>& readings);

    // Outbox. Readings deleted by the quota leave the seq stream with a hole at its start:
    // read_after() simply continues with the oldest seq still held, and backlog() counts
    // only what is held.
    std::vector<StoredReading> read_after(std::uint64_t after_seq, std::size_t max_count) override;
    std::uint64_t cursor(std::string_view sink) override;
    // Never moves backward; a seq beyond last_seq() is clamped to last_seq() so a sink
    // can never skip readings that are not yet written.
    void advance_cursor(std::string_view sink, std::uint64_t seq) override;
    std::uint64_t last_seq() override;
    BacklogInfo backlog(std::string_view sink) override;

    std::uint64_t reading_count();  // rows held
    // Timestamp of the newest-by-seq reading of any of `points` of `meter` (nullopt: none
    // held): where a meter's profile read pointer resumes after a restart.
    std::optional<TimestampUs> latest_ts(std::string_view meter, const std::vector<std::string>& points);
    std::uint64_t first_seq();      // oldest seq held (0 when none)
    // Bytes in use by the database: (page_count - freelist_count) * page_size, pages
    // still in the WAL included. Deleted rows free pages for reuse without shrinking the
    // file, so this is what the quota measures, not the file size.
    std::uint64_t used_bytes();

    // Audit log. Each append is its own transaction, durable (per SyncMode) on return;
    // detail_json must be a JSON object (StoreError otherwise). Returns the event's id.
    std::uint64_t append_audit(std::string_view kind, std::string_view detail_json);
    std::uint64_t append_audit(std::string_view kind, std::string_view detail_json, TimestampUs ts_us);
    std::vector<AuditEvent> read_audit(std::uint64_t after_id, std::size_t max_count);
    std::map<std::string, std::uint64_t> audit_counts();  // events per kind

    // EventSink: append_audit(kind, detail_json) with the system clock's time. Throws
    // StoreError (a detail that is not a JSON object, a file that refuses the write).
    void record_event(std::string_view kind, std::string_view detail_json) override;
    // EventOutbox, over the audit log: the event id is the audit id. The event cursors
    // live in the cursor table next to the reading cursors ("mqtt.events"); they are
    // clamped to the newest audit id, never to last_seq(), and the quota never counts
    // them as readings sinks (only GroupCommitOptions::sinks / enforce_quota's sinks
    // are). The audit log keeps its newest QuotaOptions::max_audit_rows events: a sink
    // far enough behind finds the oldest ones gone (a gap in the ids).
    std::vector<GatewayEvent> read_events_after(std::uint64_t after_id, std::size_t max_count) override;
    std::uint64_t event_cursor(std::string_view sink) override;
    void advance_event_cursor(std::string_view sink, std::uint64_t id) override;

    // Applies the quota (docs/store.md, "Quota"). A reading counts as acknowledged when
    // every named sink's cursor has passed it; with no sinks, none does. now_us judges
    // max_age. Deletes in transactions of options.delete_batch rows; writes one
    // quota_dropped audit event per run that drops unacknowledged readings. Throws
    // StoreError if the file refuses (the readings deleted so far stay deleted).
    QuotaReport enforce_quota(const QuotaOptions& options, std::span<const std::string> sinks, TimestampUs now_us);
    // The counters and size without deleting anything.
    QuotaReport quota_state();

    // Checkpoints the WAL fully and restarts it, so the next commits reuse its space from
    // the start instead of growing the file: one of the things to try when the disk is
    // full. Returns false (nothing thrown) when the checkpoint could not complete.
    bool checkpoint();

    // The full PRAGMA quick_check, on a private read-only connection (never blocks
    // appends; seconds on a big file). "" when the file is fine, else the problems.
    // Returns early, with StoreError, once *cancel is true.
    std::string check_integrity(const std::atomic<bool>* cancel = nullptr);
    // Makes the next open run the full check before anything else (after a failed
    // background check).
    void request_full_check_at_open();

    const std::string& path() const;
    const ReadingLogOptions& options() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridgate::store
