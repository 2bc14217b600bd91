#pragma once
// The one exception type of the store. The SQLite wrapper is the only place that turns
// SQLite return codes into it, so callers can tell a full disk from a corrupt file
// without seeing SQLite themselves.
#include <stdexcept>
#include <string>

namespace gridgate::store {

enum class StoreErrorKind {
    other,
    busy,         // another connection held the lock past busy_timeout
    disk_full,    // SQLITE_FULL: the quota policy's business
    io,           // read/write/fsync failed
    corrupt,      // malformed file, not a database, failed integrity check
    schema_newer  // written by a newer gridgated
};

// Thrown at open (cannot open, newer schema version, corrupt file) and by writes that
// fail (the transaction is rolled back first).
class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
    StoreError(const std::string& what, StoreErrorKind kind) : std::runtime_error(what), kind_(kind) {}

    StoreErrorKind kind() const { return kind_; }

private:
    StoreErrorKind kind_ = StoreErrorKind::other;
};

}  // namespace gridgate::store
