#pragma once
// Open-time checks and numbered schema migrations. The schema version is SQLite's
// PRAGMA user_version: 0 for a new file, N once migration N has been applied.
#include "sqlite.hpp"

namespace gridgate::store::schema {

// Refuses a file that is not a database or fails PRAGMA quick_check, and one written
// by a newer gridgated (version > supported). Read-only: runs before anything is written.
void check_before_open(sqlite::Database& db, int supported);

// Applies every migration above the file's version up to `supported`, each in its own
// IMMEDIATE transaction together with the new user_version.
void migrate(sqlite::Database& db, int supported);

// PRAGMA user_version.
int version_of(sqlite::Database& db);

}  // namespace gridgate::store::schema
