#pragma once
// The gateway's file spool: the folder that holds every file taken from a meter (SFTP
// pull, push inbox, HTTPS attachment) until the northbound file sinks have delivered it,
// indexed durably by store::FileIndex. Intake is crash-safe: a file is written into
// <spool>/.staging, fsynced, hashed (SHA-256) and checked (PQDIF), renamed to
// <spool>/<meter>/<name> (folder fsynced), and only then indexed in one fsynced
// transaction. At start, reconcile() removes what a crash left in .staging (except the
// pull's resumable partial downloads) and indexes files renamed but not indexed.
// The quota (docs/files.md) evicts the oldest files (delivered first) under drop_oldest,
// or stops intake under stop_intake; every eviction is counted and audited.
// Thread-safe.
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/gateway/config.hpp"
#include "gridgate/store/file_index.hpp"

namespace gridgate::gateway {

struct SpoolIntake {
    std::string meter;                 // configured meter id ("" = unclaimed)
    std::string name;                  // original file name (a plain name: no '/', not "." or "..")
    std::string source;                // "sftp_pull" | "push_inbox" | "https"
    std::int64_t meter_mtime_s = 0;
    std::filesystem::path staged;      // the complete file, inside staging_dir(); moved by admit
};

struct SpoolAdmit {
    store::FileAdd add;                // id and whether it was new
    std::string stored_name;           // the name indexed (differs from intake.name when a different file had that name)
    bool duplicate = false;            // same meter, name and sha256 as an indexed file: dropped
    bool well_formed = false;          // the PQDIF check passed (of the indexed file when duplicate)
};

class FileSpool {
public:
    // config.directory must be set (absolute). `sinks`: the file sinks' names
    // ("sftp.<id>"), for the quota's "delivered" test. Creates the folders.
    FileSpool(SpoolConfig config, store::FileIndex& index, std::vector<std::string> sinks, const Clock& clock,
              Logger& logger);

    const std::filesystem::path& directory() const;
    std::filesystem::path staging_dir() const;   // <spool>/.staging (same filesystem as the spool)
    // A fresh unique path in staging_dir() for a new file; `hint` becomes part of the name.
    std::filesystem::path new_staging_path(std::string_view hint);
    // <spool>/.staging/pull/<meter>: the PQDIF puller's resumable partial downloads,
    // which reconcile() keeps (the puller removes stale ones itself).
    std::filesystem::path pull_partial_dir(std::string_view meter) const;

    // Takes a staged file into the spool (see the class comment). Throws std::runtime_error
    // (or StoreError) when the disk or the store refuses; the staged file is then left
    // for the caller to retry or delete.
    SpoolAdmit admit(const SpoolIntake& intake);
    // The same, with a gateway event stored in the same transaction (an HTTPS
    // notification); intake may be nullopt (no file: only the event).
    SpoolAdmit admit_with_event(const std::optional<SpoolIntake>& intake, std::string_view event_kind,
                                std::string_view event_detail_json);

    // Under stop_intake, true while the spool is over its quota: pullers and the inbox
    // leave files where they are (the meter keeps them); HTTPS attachments get 503.
    bool intake_stopped() const;
    // Applies the quota now (after intake and after deliveries); returns files evicted.
    std::size_t enforce_quota();
    // At start: see the class comment. Returns the files indexed by it.
    std::size_t reconcile();

    // For `gridgatectl files`: {"directory","quota_bytes","policy","held_files","held_bytes",
    // "evicted_delivered","evicted_undelivered","intake_stopped",
    // "files":[{"id","meter","name","size","sha256","source","received","type","well_formed",
    //           "state": "spooled"|"pending"|"forwarded"|"evicted", "deliveries":[{"sink","at","remote_path"}],
    //           "deleted_on_meter"}]} for the newest `max_files` files.
    std::string status_json(std::size_t max_files) const;

private:
    struct Resolved {
        std::string stored_name;                    // free, or the duplicate's name
        std::optional<store::FileRecord> duplicate;
    };
    // Under mutex_: the name a file with this content is stored under (the original, or
    // "<stem>~<n><ext>" when a different file holds it), or the indexed duplicate.
    Resolved resolve_name(const std::string& meter, const std::string& name, const std::string& sha256);
    // Hashes, checks and describes a file already on disk (staged or spooled).
    store::FileRecord describe(const std::filesystem::path& path, const std::string& meter, const std::string& name,
                               const std::string& source, std::int64_t meter_mtime_s) const;
    SpoolAdmit admit_file(const SpoolIntake& intake, const std::string* event_kind, std::string_view event_detail);
    std::filesystem::path meter_dir(const std::string& meter) const;
    bool delivered_by_all(std::uint64_t id);
    SpoolConfig config_;
    std::filesystem::path dir_;
    store::FileIndex& index_;
    std::vector<std::string> sinks_;
    const Clock& clock_;
    Logger& logger_;
    mutable std::mutex mutex_;
    bool intake_stopped_ = false;
    std::uint64_t staging_counter_ = 0;
};

}  // namespace gridgate::gateway
