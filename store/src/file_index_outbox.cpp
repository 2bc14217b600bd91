// FileIndex as the file sinks' FileOutbox, and the meter-side deletion that waits for
// every sink's delivery (delete_after_forward).
#include <filesystem>

#include "file_index_impl.hpp"
#include "gridgate/core/clock.hpp"
#include "gridgate/store/file_index.hpp"

namespace gridgate::store {

std::optional<SpooledFile> FileIndex::next_undelivered(std::string_view sink, std::uint64_t after_id) {
    std::lock_guard lock(impl_->mutex);
    auto run = impl_->select_next_undelivered.run();
    run.bind(1, sink).bind(2, file_sql::to_sql(after_id));
    if (!run.step()) return std::nullopt;
    SpooledFile file;
    file.id = file_sql::from_sql(run.int64(0));
    file.meter = run.text(1);
    file.name = run.text(2);
    file.local_path = (std::filesystem::path(impl_->spool_dir) / run.text(3)).string();
    file.size = file_sql::from_sql(run.int64(4));
    file.sha256 = run.text(5);
    file.received_us = run.int64(6);
    file.details_json = run.text(7);
    return file;
}

void FileIndex::mark_delivered(std::string_view sink, std::uint64_t id, std::string_view remote_path,
                               std::string_view notice_json) {
    const TimestampUs now = SystemClock().now_utc_us();
    std::lock_guard lock(impl_->mutex);
    // Checked before anything else, so a bad notice fails the same way on a repeated call.
    impl_->require_object_locked(notice_json, "the files notice");
    file_sql::WriteTransaction transaction(impl_->db);
    if (!impl_->file_exists_locked(id))
        throw StoreError("file index: no file with id " + std::to_string(id) + " to mark delivered");
    impl_->insert_delivery.run()
        .bind(1, file_sql::to_sql(id))
        .bind(2, sink)
        .bind(3, std::int64_t{now})
        .bind(4, remote_path)
        .execute();
    // The delivery row and its event commit together or not at all: the notice is
    // published exactly when the index says the file is there, and a second call for
    // the same (sink, id) finds the row and writes no second event.
    if (impl_->db.changes() == 0) return;  // already delivered: the transaction is rolled back, empty
    impl_->insert_audit_locked(now, "file_forwarded", notice_json, std::nullopt);
    transaction.commit();
}

std::vector<FileRecord> FileIndex::delivered_not_deleted(std::string_view meter, std::span<const std::string> sinks) {
    std::vector<FileRecord> out;
    const std::string sink_array = file_sql::json_array(sinks);
    std::lock_guard lock(impl_->mutex);
    auto run = impl_->select_delivered_not_deleted.run();
    run.bind(1, sink_array).bind(2, meter);
    while (run.step()) out.push_back(file_sql::record_from(run));
    return out;
}

void FileIndex::mark_deleted_on_meter(std::uint64_t id) {
    std::lock_guard lock(impl_->mutex);
    file_sql::WriteTransaction transaction(impl_->db);
    impl_->update_deleted_on_meter.run().bind(1, file_sql::to_sql(id)).execute();
    if (impl_->db.changes() == 0)
        throw StoreError("file index: no file with id " + std::to_string(id) + " to mark deleted on the meter");
    transaction.commit();
}

}  // namespace gridgate::store
