// ReadingLog's audit log: rare events an operator must be able to find later. It is also
// the gateway's event log (EventSink, EventOutbox): the northbound sinks publish it.
#include <algorithm>

#include "gridgate/core/clock.hpp"
#include "reading_log_impl.hpp"

namespace gridgate::store {

std::uint64_t ReadingLog::Impl::append_audit_locked(std::string_view kind, std::string_view detail_json,
                                                    TimestampUs ts_us) {
    // A single statement is its own transaction, synced per SyncMode like an append. The
    // table's CHECK refuses a detail that is not a JSON object.
    auto run = insert_audit.run();
    run.bind(1, std::int64_t{ts_us}).bind(2, kind).bind(3, detail_json);
    run.step();
    const auto id = seq_from_sql(run.int64(0));
    run.execute();
    return id;
}

std::uint64_t ReadingLog::append_audit(std::string_view kind, std::string_view detail_json) {
    return append_audit(kind, detail_json, SystemClock().now_utc_us());
}

std::uint64_t ReadingLog::append_audit(std::string_view kind, std::string_view detail_json, TimestampUs ts_us) {
    std::lock_guard lock(impl_->write_mutex);
    return impl_->append_audit_locked(kind, detail_json, ts_us);
}

std::vector<AuditEvent> ReadingLog::read_audit(std::uint64_t after_id, std::size_t max_count) {
    std::vector<AuditEvent> out;
    if (max_count == 0) return out;
    std::lock_guard lock(impl_->read_mutex);
    auto run = impl_->select_audit.run();
    run.bind(1, to_sql(after_id)).bind(2, to_sql(max_count));
    while (run.step())
        out.push_back(AuditEvent{seq_from_sql(run.int64(0)), run.int64(1), run.text(2), run.text(3)});
    return out;
}

std::map<std::string, std::uint64_t> ReadingLog::audit_counts() {
    std::map<std::string, std::uint64_t> out;
    std::lock_guard lock(impl_->read_mutex);
    auto run = impl_->select_audit_counts.run();
    while (run.step()) out[run.text(0)] = seq_from_sql(run.int64(1));
    return out;
}

void ReadingLog::record_event(std::string_view kind, std::string_view detail_json) {
    append_audit(kind, detail_json);
}

std::vector<GatewayEvent> ReadingLog::read_events_after(std::uint64_t after_id, std::size_t max_count) {
    std::vector<GatewayEvent> out;
    for (auto& event : read_audit(after_id, max_count))
        out.push_back(GatewayEvent{event.id, event.ts_us, std::move(event.kind), std::move(event.detail_json)});
    return out;
}

std::uint64_t ReadingLog::event_cursor(std::string_view sink) { return cursor(sink); }

void ReadingLog::advance_event_cursor(std::string_view sink, std::uint64_t id) {
    std::lock_guard lock(impl_->write_mutex);
    std::uint64_t newest = 0;
    {
        auto run = impl_->writer_max_audit_id.run();
        if (run.step() && !run.is_null(0)) newest = seq_from_sql(run.int64(0));
    }
    // Same table and statement as the reading cursors (never backward), but bounded by
    // the audit ids, which have nothing to do with seq.
    impl_->upsert_cursor.run().bind(1, sink).bind(2, to_sql(std::min(id, newest))).execute();
}

}  // namespace gridgate::store
