#pragma once
// The spool's durable index (schema version 4, in the reading log's database file): one
// row per file the gateway took from a meter (SFTP pull, push inbox, HTTPS attachment),
// a delivery row per (file, northbound sink), and the spool's lifetime counters. The
// file bytes live in the spool folder; this index is the record of what is there and
// what happened to it (docs/files.md). Every write is one fsynced transaction, whatever
// the reading log's SyncMode: a meter may delete a file once its row is here.
// Opens its own connection to the file; thread-safe.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/time.hpp"
#include "gridgate/store/store_error.hpp"

namespace gridgate::store {

struct FileRecord {
    std::uint64_t id = 0;             // assigned by add()
    std::string meter;                // "" when no configured meter claimed it
    std::string name;                 // original name (unique per meter)
    std::string spool_name;           // path relative to the spool folder, e.g. "m1/142300003_..._07.pqd"
    std::uint64_t size = 0;
    std::string sha256;               // lowercase hex
    std::string source;               // "sftp_pull" | "push_inbox" | "https"
    std::int64_t meter_mtime_s = 0;   // the meter's mtime (pull), 0 when unknown
    TimestampUs received_us = 0;      // when the spool took it
    std::uint32_t type_bits = 0;      // from the name (pqdif_name.hpp), 0 when not parsed
    TimestampUs name_time_us = 0;     // the time in the name, 0 when not parsed
    bool well_formed = false;         // PQDIF check result
    std::string check_json;           // PqdifSummary::to_json()
    // Set by the index:
    bool deleted_on_meter = false;    // the gateway deleted the meter's copy
    bool evicted = false;             // the spool quota deleted the spooled copy
    TimestampUs evicted_us = 0;
};

struct FileDelivery {
    std::string sink;
    TimestampUs delivered_us = 0;
    std::string remote_path;
};

struct FileAdd {
    std::uint64_t id = 0;
    bool added = false;   // false: (meter, name) was already indexed (id is that row's)
};

struct SpoolCounters {  // lifetime, kept in meta
    std::uint64_t files_added = 0;
    std::uint64_t evicted_delivered = 0;    // deleted by the quota after every sink had them
    std::uint64_t evicted_undelivered = 0;  // deleted by the quota before: lost northbound
    std::uint64_t held_files = 0;           // rows not evicted
    std::uint64_t held_bytes = 0;           // their sizes summed
};

class FileIndex final : public FileOutbox {
public:
    // `db_path`: the reading log's file, already migrated by ReadingLog (schema >= 4).
    // `spool_dir`: absolute folder the spool_name of each row is relative to (local_path
    // in SpooledFile). Throws StoreError.
    FileIndex(std::string db_path, std::string spool_dir);
    ~FileIndex() override;
    FileIndex(const FileIndex&) = delete;
    FileIndex& operator=(const FileIndex&) = delete;

    // Indexes a file already renamed into the spool. When (meter, name) exists nothing
    // changes and added = false. Durable (fsynced) on return.
    FileAdd add(const FileRecord& record);
    // The same, with a gateway event (audit row: kind, detail JSON object) in the same
    // transaction: an HTTPS notification and its attached file are stored together.
    // record may be nullopt (a notification without a file): then only the event.
    FileAdd add_with_event(const std::optional<FileRecord>& record, std::string_view event_kind,
                           std::string_view event_detail_json);

    std::optional<FileRecord> find(std::string_view meter, std::string_view name);
    std::optional<FileRecord> get(std::uint64_t id);
    // Rows with id > after_id, id order, evicted ones included.
    std::vector<FileRecord> list(std::uint64_t after_id, std::size_t max_count);
    std::vector<FileDelivery> deliveries(std::uint64_t id);
    // Files not evicted that one of `sinks` has not delivered (all held files when sinks
    // is empty: nothing counts as delivered then).
    std::uint64_t undelivered_count(std::span<const std::string> sinks);

    // FileOutbox. mark_delivered also writes the "file_forwarded" event (the notice).
    std::optional<SpooledFile> next_undelivered(std::string_view sink, std::uint64_t after_id) override;
    void mark_delivered(std::string_view sink, std::uint64_t id, std::string_view remote_path,
                        std::string_view notice_json) override;

    // Meter-side deletion (delete_after_forward): files of `meter` (any source, evicted
    // ones included) that every one of `sinks` delivered and that are not yet deleted on
    // the meter, id order. With no sinks nothing counts as delivered: empty.
    std::vector<FileRecord> delivered_not_deleted(std::string_view meter, std::span<const std::string> sinks);
    void mark_deleted_on_meter(std::uint64_t id);

    // Spool quota: candidates for eviction among the files held: those every one of
    // `sinks` delivered first, then the rest, each group oldest first (id order).
    std::vector<FileRecord> eviction_candidates(std::span<const std::string> sinks, std::size_t max_count);
    // Marks the row evicted (the caller deletes the spooled copy after this returns),
    // counts it as delivered or not by `sinks`, and writes a "spool_evicted" audit event
    // ({"file_id","meter","name","size","sha256","delivered":bool}, ts now_us), all in one
    // transaction. A row already evicted is left alone (counted once). Unknown id: StoreError.
    void mark_evicted(std::uint64_t id, std::span<const std::string> sinks, TimestampUs now_us);
    SpoolCounters counters();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridgate::store
