#pragma once
// The disk quota: how much the reading log may hold, and what gives when it is full.
// Semantics in docs/store.md ("Quota"); ReadingLog::enforce_quota applies it.
#include <cstddef>
#include <cstdint>

#include "gridgate/core/time.hpp"

namespace gridgate::store {

enum class QuotaPolicy {
    drop_oldest,        // delete the oldest unacknowledged readings (counted, audited)
    stop_low_priority,  // report over_quota so the gateway stops low-priority points;
                        // drop the oldest only past hard_limit
};

struct QuotaOptions {
    std::uint64_t max_bytes = 0;      // used database pages; 0 = no size limit
    Duration max_age = Duration::zero();  // readings older than this go; 0 = no age limit
    QuotaPolicy policy = QuotaPolicy::drop_oldest;
    double low_water = 0.9;           // once over max_bytes, delete down to this fraction of it
    double hard_limit = 1.1;          // stop_low_priority: drop the oldest above this fraction
    std::size_t delete_batch = 10'000;  // rows per delete transaction, so commits never wait long
    std::size_t max_batches_per_run = 0;  // 0 = finish the job; else stop after this many (incomplete)
    std::size_t max_audit_rows = 10'000;  // the audit log keeps its newest rows up to this many

    bool enabled() const { return max_bytes != 0 || max_age != Duration::zero(); }
};

struct QuotaReport {
    std::uint64_t used_bytes = 0;    // after this run
    bool over_quota = false;         // still above max_bytes (stop_low_priority: keep low points stopped)
    // Lifetime counters of the store file (kept in meta, so they survive restarts).
    std::uint64_t pruned_acked = 0;     // readings every sink had acknowledged, deleted
    std::uint64_t dropped_unacked = 0;  // readings deleted before every sink had them: lost
    // This run.
    std::uint64_t pruned_acked_now = 0;
    std::uint64_t dropped_unacked_now = 0;
    std::uint64_t dropped_first_seq = 0;  // seq range of dropped_unacked_now (0,0 if none)
    std::uint64_t dropped_last_seq = 0;
    std::uint64_t first_seq = 0;  // oldest reading still held (0 when none)
    bool incomplete = false;      // stopped at max_batches_per_run; run again soon
};

}  // namespace gridgate::store
