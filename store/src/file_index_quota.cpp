// The spool quota's side of the index: what to evict first, the record of each eviction
// (row, counter and audit event in one transaction) and the spool's counters.
#include "file_index_impl.hpp"
#include "gridgate/store/file_index.hpp"
#include "json_text.hpp"

namespace gridgate::store {

std::uint64_t FileIndex::undelivered_count(std::span<const std::string> sinks) {
    const std::string sink_array = file_sql::json_array(sinks);
    std::lock_guard lock(impl_->mutex);
    auto run = impl_->select_undelivered_count.run();
    run.bind(1, sink_array);
    run.step();
    return file_sql::from_sql(run.int64(0));
}

std::vector<FileRecord> FileIndex::eviction_candidates(std::span<const std::string> sinks, std::size_t max_count) {
    std::vector<FileRecord> out;
    if (max_count == 0) return out;
    const std::string sink_array = file_sql::json_array(sinks);
    std::lock_guard lock(impl_->mutex);
    auto run = impl_->select_eviction_candidates.run();
    run.bind(1, sink_array).bind(2, file_sql::to_sql(max_count));
    while (run.step()) out.push_back(file_sql::record_from(run));
    return out;
}

void FileIndex::mark_evicted(std::uint64_t id, std::span<const std::string> sinks, TimestampUs now_us) {
    const std::string sink_array = file_sql::json_array(sinks);
    std::lock_guard lock(impl_->mutex);
    file_sql::WriteTransaction transaction(impl_->db);
    JsonObject detail;
    bool delivered = false;
    {
        auto run = impl_->select_eviction_target.run();
        run.bind(1, sink_array).bind(2, file_sql::to_sql(id));
        if (!run.step()) throw StoreError("file index: no file with id " + std::to_string(id) + " to evict");
        // Evicting twice (a retry after the caller's delete failed) counts once.
        if (run.int64(4) != 0) return;
        delivered = run.int64(5) != 0;
        detail.add("file_id", id)
            .add("meter", run.text(0))
            .add("name", run.text(1))
            .add("size", file_sql::from_sql(run.int64(2)))
            .add("sha256", run.text(3))
            .add("delivered", delivered);
    }
    impl_->update_evicted.run().bind(1, file_sql::to_sql(id)).bind(2, std::int64_t{now_us}).execute();
    impl_->add_to_meta_locked(delivered ? "spool_evicted_delivered" : "spool_evicted_undelivered", 1);
    impl_->insert_audit_locked(now_us, "spool_evicted", detail.str(), std::nullopt);
    transaction.commit();
}

SpoolCounters FileIndex::counters() {
    std::lock_guard lock(impl_->mutex);
    auto run = impl_->select_counters.run();
    run.step();
    SpoolCounters c;
    c.files_added = file_sql::from_sql(run.int64(0));
    c.evicted_delivered = file_sql::from_sql(run.int64(1));
    c.evicted_undelivered = file_sql::from_sql(run.int64(2));
    c.held_files = file_sql::from_sql(run.int64(3));
    c.held_bytes = file_sql::from_sql(run.int64(4));
    return c;
}

}  // namespace gridgate::store
