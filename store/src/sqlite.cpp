#include "sqlite.hpp"

#include <sqlite3.h>

#include <limits>

namespace gridgate::store::sqlite {

namespace {

StoreErrorKind kind_of(int rc) {
    switch (rc & 0xff) {  // primary code of an extended result code
        case SQLITE_BUSY:
        case SQLITE_LOCKED: return StoreErrorKind::busy;
        case SQLITE_FULL: return StoreErrorKind::disk_full;
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
        case SQLITE_READONLY: return StoreErrorKind::io;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB: return StoreErrorKind::corrupt;
        default: return StoreErrorKind::other;
    }
}

}  // namespace

void check(int rc, sqlite3* db, std::string_view context) {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    std::string message(context);
    message += ": ";
    // The connection's message is more specific ("no such table: x") when it belongs
    // to this call; after a failed open there is no connection to ask.
    message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    message += " (sqlite code ";
    message += std::to_string(rc);
    message += ")";
    throw StoreError(message, kind_of(rc));
}

Database::Database(const std::string& path, const std::string& vfs) : path_(path) {
    // NOMUTEX: each connection is guarded by its owner's mutex, SQLite need not add its own.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, vfs.empty() ? nullptr : vfs.c_str());
    if (rc != SQLITE_OK) {
        // sqlite3_open_v2 may return a handle even on failure; it must still be closed.
        const std::string reason = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw StoreError("cannot open database " + path + ": " + reason, kind_of(rc));
    }
    sqlite3_extended_result_codes(db_, 1);
}

Database::~Database() { sqlite3_close_v2(db_); }

Database::Database(Database&& other) noexcept : db_(other.db_), path_(std::move(other.path_)) {
    other.db_ = nullptr;
}

void Database::set_busy_timeout(Duration timeout) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
    const int clamped = ms > std::numeric_limits<int>::max() ? std::numeric_limits<int>::max()
                                                             : static_cast<int>(ms);
    check(sqlite3_busy_timeout(db_, clamped), db_, "setting busy_timeout on " + path_);
}

void Database::exec(const std::string& sql) {
    check(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), db_, sql);
}

void Database::rollback_quietly() noexcept {
    // After some errors (SQLITE_FULL, IOERR) SQLite has already rolled back on its own;
    // a second ROLLBACK would only fail with "no transaction is active".
    if (in_transaction()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

bool Database::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

void Database::set_checkpoint_on_close(bool on) {
    check(sqlite3_db_config(db_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, on ? 0 : 1, nullptr), db_,
          "setting checkpoint on close for " + path_);
}

std::int64_t Database::changes() const { return sqlite3_changes64(db_); }

void Database::cancel_when(const std::atomic<bool>* cancel) {
    if (cancel == nullptr) {
        sqlite3_progress_handler(db_, 0, nullptr, nullptr);
        return;
    }
    // A non-zero return interrupts the running statement.
    sqlite3_progress_handler(
        db_, 10'000,
        [](void* flag) -> int { return static_cast<const std::atomic<bool>*>(flag)->load() ? 1 : 0; },
        const_cast<std::atomic<bool>*>(cancel));
}

Statement::Statement(Database& db, std::string_view sql) : db_(db), sql_(sql) {
    check(sqlite3_prepare_v3(db.handle(), sql_.c_str(), static_cast<int>(sql_.size()),
                             SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr),
          db.handle(), "preparing " + sql_);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::reset() noexcept {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

using Run = Statement::Run;

Run& Run::bind(int index, std::int64_t value) {
    check(sqlite3_bind_int64(statement_.stmt_, index, value), statement_.db_.handle(),
          "binding " + statement_.sql_);
    return *this;
}

Run& Run::bind(int index, double value) {
    check(sqlite3_bind_double(statement_.stmt_, index, value), statement_.db_.handle(),
          "binding " + statement_.sql_);
    return *this;
}

Run& Run::bind(int index, std::string_view value) {
    check(sqlite3_bind_text64(statement_.stmt_, index, value.data(), value.size(),
                              SQLITE_TRANSIENT, SQLITE_UTF8),
          statement_.db_.handle(), "binding " + statement_.sql_);
    return *this;
}

Run& Run::bind_null(int index) {
    check(sqlite3_bind_null(statement_.stmt_, index), statement_.db_.handle(),
          "binding " + statement_.sql_);
    return *this;
}

bool Run::step() {
    const int rc = sqlite3_step(statement_.stmt_);
    check(rc, statement_.db_.handle(), statement_.sql_);
    return rc == SQLITE_ROW;
}

void Run::execute() {
    while (step()) {
    }
}

bool Run::is_null(int column) const { return sqlite3_column_type(statement_.stmt_, column) == SQLITE_NULL; }

bool Run::is_integer(int column) const {
    return sqlite3_column_type(statement_.stmt_, column) == SQLITE_INTEGER;
}

std::int64_t Run::int64(int column) const { return sqlite3_column_int64(statement_.stmt_, column); }

double Run::real(int column) const { return sqlite3_column_double(statement_.stmt_, column); }

std::string Run::text(int column) const {
    const auto* bytes = sqlite3_column_text(statement_.stmt_, column);
    const int size = sqlite3_column_bytes(statement_.stmt_, column);
    if (bytes == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size));
}

}  // namespace gridgate::store::sqlite
