#pragma once
// The store's only contact with the SQLite C API: RAII owners for a connection and a
// prepared statement, and check(), the one place SQLite return codes become StoreError.
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "gridgate/core/time.hpp"
#include "gridgate/store/store_error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace gridgate::store::sqlite {

// Throws StoreError("<context>: <sqlite message> (<code name>)") unless rc is
// SQLITE_OK, SQLITE_ROW or SQLITE_DONE. db may be null (open failed before a handle).
void check(int rc, sqlite3* db, std::string_view context);

class Database {
public:
    // Opens read-write, creating the file if missing. vfs names a registered SQLite VFS
    // (empty: the default one); the fault-injection shim is selected this way.
    explicit Database(const std::string& path, const std::string& vfs = {});
    ~Database();
    Database(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    Database& operator=(Database&&) = delete;

    void set_busy_timeout(Duration timeout);
    // Runs one or more statements that return no rows we need (DDL, PRAGMA, BEGIN).
    void exec(const std::string& sql);
    // Rolls back if a transaction is open; never throws (used on error paths).
    void rollback_quietly() noexcept;
    bool in_transaction() const;
    // Whether closing the last connection checkpoints the WAL into the file (and then
    // deletes it). Off while a file is being checked, so a file refused at open is left
    // exactly as it was found, WAL included.
    void set_checkpoint_on_close(bool on);
    // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
    std::int64_t changes() const;
    // Makes long statements on this connection fail with SQLITE_INTERRUPT once *cancel
    // is true (checked every few thousand VM steps). The flag must outlive the connection.
    void cancel_when(const std::atomic<bool>* cancel);

    sqlite3* handle() const { return db_; }
    const std::string& path() const { return path_; }

private:
    sqlite3* db_ = nullptr;
    std::string path_;
};

// A statement prepared once and reused. Bind indexes are 1-based, columns 0-based,
// as in SQLite. Use a Statement::Run for each execution so it is reset even when a
// step throws: an unreset SELECT would pin an old WAL snapshot.
class Statement {
public:
    Statement(Database& db, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    class Run {
    public:
        explicit Run(Statement& statement) : statement_(statement) {}
        ~Run() { statement_.reset(); }
        Run(const Run&) = delete;
        Run& operator=(const Run&) = delete;

        Run& bind(int index, std::int64_t value);
        Run& bind(int index, double value);
        Run& bind(int index, std::string_view value);
        Run& bind_null(int index);
        // True when a row is ready, false when the statement is done.
        bool step();
        // Steps a statement that returns no rows.
        void execute();

        bool is_null(int column) const;
        bool is_integer(int column) const;  // stored as an INTEGER (not REAL, TEXT, NULL)
        std::int64_t int64(int column) const;
        double real(int column) const;
        std::string text(int column) const;

    private:
        Statement& statement_;
    };

    Run run() { return Run(*this); }

private:
    void reset() noexcept;

    Database& db_;
    sqlite3_stmt* stmt_ = nullptr;
    std::string sql_;  // for error messages
};

}  // namespace gridgate::store::sqlite
