#pragma once
// Open-time checks and numbered schema migrations. The schema version is SQLite's
// PRAGMA user_version: 0 for a new file, N once migration N has been applied.
#include <string>

#include "sqlite.hpp"

namespace gridgate::store::schema {

// Applies every migration above the file's version up to `supported`, each in its own
// IMMEDIATE transaction together with the new user_version.
void migrate(sqlite::Database& db, int supported);

// PRAGMA user_version.
int version_of(sqlite::Database& db);

// "database schema version 7 is newer than this gridgated supports (3); refusing to open <path>"
std::string newer_version_message(int found, int supported, const std::string& path);

}  // namespace gridgate::store::schema
