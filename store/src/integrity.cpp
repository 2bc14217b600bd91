// Maintenance on the file as a whole: the full integrity check (run in the background
// after a fast open, open_checks.hpp) and the WAL checkpoint used when the disk is full.
#include "open_checks.hpp"
#include "reading_log_impl.hpp"

namespace gridgate::store {

std::string ReadingLog::check_integrity(const std::atomic<bool>* cancel) {
    // A private connection: the check reads every page for seconds, and must hold
    // neither the writer's nor the sinks' mutex meanwhile. WAL lets appends go on.
    sqlite::Database db(impl_->options.path, impl_->options.vfs);
    db.set_busy_timeout(impl_->options.busy_timeout);
    db.exec("PRAGMA query_only=1");
    db.cancel_when(cancel);
    return open_checks::full_quick_check(db);
}

bool ReadingLog::checkpoint() {
    std::lock_guard lock(impl_->write_mutex);
    try {
        sqlite::Statement statement(impl_->writer, "PRAGMA wal_checkpoint(RESTART)");
        auto run = statement.run();
        return run.step() && run.int64(0) == 0;  // busy = 0: it completed
    } catch (const StoreError&) {
        return false;
    }
}

void ReadingLog::request_full_check_at_open() {
    std::lock_guard lock(impl_->write_mutex);
    impl_->writer.exec(std::string("INSERT INTO meta(key, value) VALUES('") + open_checks::full_check_marker +
                       "', 1) ON CONFLICT(key) DO UPDATE SET value = 1");
}

}  // namespace gridgate::store
