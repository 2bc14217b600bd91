#pragma once
// A SQLite VFS shim for tests and benchmarks (library gg_store_faults, never linked into
// gridgated): wraps the default VFS and can make the disk "full" or fsync slow, so the
// store's disk-full handling and group commit can be exercised without a real small
// filesystem. Select it with ReadingLogOptions::vfs = faults::vfs_name().
//
// The knobs are process-wide (SQLite's VFS registry is), so tests that use them must
// reset them (FaultScope does) and not run in parallel threads of one process.
#include <cstdint>

#include "gridgate/core/time.hpp"

namespace gridgate::store::faults {

// Registers the shim on first use and returns its name.
const char* vfs_name();

// Writes that would make the files opened through the shim (database, WAL, journals)
// add up to more than `bytes` fail with SQLITE_FULL, as ENOSPC does; 0 = no limit.
// Overwriting space a file already has always succeeds, as on a real filesystem.
void set_space_limit(std::uint64_t bytes);
// While set, every write fails with SQLITE_FULL.
void set_fail_writes(bool fail);
// While set, every xSync fails with SQLITE_IOERR_FSYNC (a dying flash chip).
void set_fail_syncs(bool fail);
// Added to every xSync (the "10 ms fsync as on eMMC" benchmark).
void set_sync_delay(Duration delay);

struct Counters {
    std::uint64_t writes = 0;          // xWrite calls that reached the real file
    std::uint64_t writes_refused = 0;  // xWrite calls failed by a knob
    std::uint64_t syncs = 0;           // xSync calls that reached the real file
    std::uint64_t syncs_refused = 0;
};
Counters counters();
// Bytes the shim currently accounts to its files.
std::uint64_t tracked_bytes();
// All knobs off and counters zero.
void reset();

// Resets the knobs on construction and destruction.
class FaultScope {
public:
    FaultScope() { reset(); }
    ~FaultScope() { reset(); }
    FaultScope(const FaultScope&) = delete;
    FaultScope& operator=(const FaultScope&) = delete;
};

}  // namespace gridgate::store::faults
