#pragma once
// Opening the store at daemon start. A file that fails the open-time check (corrupt,
// truncated, not a database) is moved aside, never deleted, and a fresh store started,
// so the gateway keeps taking readings; the new store's audit log says what happened.
// A file from a newer gridgated is refused (StoreError schema_newer) and left alone:
// moving it aside would throw away data a newer build can read.
#include <memory>
#include <string>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/store/reading_log.hpp"

namespace gridgate::store {

struct OpenReport {
    bool recovered = false;               // the old file was moved aside; this is a fresh store
    std::string reason;                   // why: the open-time check's message
    std::string moved_to;                 // <path>.corrupt-<UTC yyyymmddThhmmssZ>
    std::vector<std::string> moved_files;  // everything renamed (the file, its -wal and -shm)
    Duration open_time{};                 // how long opening took, checks included
};

struct OpenedStore {
    std::unique_ptr<ReadingLog> log;
    OpenReport report;
};

// Throws StoreError for what a fresh start cannot cure: a newer schema version, a
// directory that cannot be written, or a fresh store that cannot be created.
OpenedStore open_or_recover(const ReadingLogOptions& options, Logger& logger);
// The same, with the clock that names the moved-aside file and stamps the audit event.
OpenedStore open_or_recover(const ReadingLogOptions& options, Logger& logger, const Clock& clock);

}  // namespace gridgate::store
