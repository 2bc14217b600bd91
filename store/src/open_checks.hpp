#pragma once
// What ReadingLog checks before it writes anything to a file, and the full check that
// runs later in the background. A full PRAGMA quick_check reads every page: about 4 s
// warm and 20 s cold for a 1 GB store on the reference machine, too slow for the 3 s
// restart target. So opening runs a cheap check that still catches the usual damage
// (docs/store.md, "What open checks"):
//   - the file header: SQLite's magic, a sane page size, a size that is a whole number of
//     pages and not shorter than the header says (a truncated copy);
//   - the schema can be read, and the version is not newer than this build;
//   - quick_check of the small tables (meta, points, cursors, audit);
//   - the first and last pages of the reading log, read with cell_size_check on;
//   - meta.last_seq is present and no reading is above it.
// A file marked by a failed background check gets the full quick_check at open.
#include <atomic>
#include <string>

#include "sqlite.hpp"

namespace gridgate::store::open_checks {

// Throws StoreError(corrupt) for damage, (schema_newer) for a newer version. Read-only.
void before_open(sqlite::Database& db, int supported_version);

// After migrations: last_seq present, no reading above it, and the full quick_check if
// a background check asked for one. Throws StoreError(corrupt).
void after_migrate(sqlite::Database& db);

// PRAGMA quick_check over the whole file; "" when it is fine, else the problems on one
// line. Stops early with StoreError when *cancel becomes true.
std::string full_quick_check(sqlite::Database& db);

// The meta key a failed background check leaves, so the next open runs the full check.
inline constexpr const char* full_check_marker = "full_check_at_open";

}  // namespace gridgate::store::open_checks
