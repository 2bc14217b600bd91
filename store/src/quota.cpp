// ReadingLog::enforce_quota: deletes from the oldest end of the log, acknowledged
// readings first. Semantics in docs/store.md ("Quota").
#include <algorithm>
#include <limits>
#include <optional>

#include "json_text.hpp"
#include "reading_log_impl.hpp"

namespace gridgate::store {

namespace {

constexpr const char* pruned_key = "pruned_acked";
constexpr const char* dropped_key = "dropped_unacked";

std::uint64_t fraction_of(std::uint64_t bytes, double fraction) {
    const double v = static_cast<double>(bytes) * fraction;
    return v >= static_cast<double>(std::numeric_limits<std::uint64_t>::max()) ? std::numeric_limits<std::uint64_t>::max()
                                                                             : static_cast<std::uint64_t>(v);
}

const char* policy_name(QuotaPolicy p) { return p == QuotaPolicy::drop_oldest ? "drop_oldest" : "stop_low_priority"; }

}  // namespace

// One run of the quota. Each delete batch takes the write lock for one short transaction
// and lets appends in between.
struct ReadingLog::Impl::QuotaPass {
    Impl& log;
    const QuotaOptions& quota;
    QuotaReport report;
    std::size_t batches_left = 0;
    std::uint64_t used = 0;
    std::string drop_reasons;

    QuotaPass(Impl& l, const QuotaOptions& q)
        : log(l), quota(q), batches_left(q.max_batches_per_run == 0 ? std::numeric_limits<std::size_t>::max()
                                                                      : q.max_batches_per_run) {
        std::lock_guard lock(log.write_mutex);
        used = log.used_bytes_locked();
    }

    // Acknowledged = passed by every sink's cursor; with no sinks, nothing is.
    std::uint64_t acknowledged(std::span<const std::string> sinks) {
        if (sinks.empty()) return 0;
        std::lock_guard lock(log.write_mutex);
        std::uint64_t lowest = std::numeric_limits<std::uint64_t>::max();
        for (const std::string& sink : sinks) {
            auto run = log.writer_cursor.run();
            run.bind(1, sink);
            lowest = std::min(lowest, run.step() ? seq_from_sql(run.int64(0)) : 0);
        }
        return lowest;
    }

    // The newest seq whose reading is older than cutoff_us, by binary search over seq:
    // timestamps follow seq closely (poll order), so a refilled reading older than its
    // neighbours, or one stamped in the future by a wrong meter clock, only moves the
    // boundary locally and can never hold pruning back. 0 when none is that old.
    std::uint64_t age_boundary(TimestampUs cutoff_us) {
        std::lock_guard lock(log.write_mutex);
        const std::int64_t cutoff = cutoff_us - log.ts_base;
        auto at_or_after = [&](std::uint64_t seq, std::uint64_t& found, std::int64_t& ts) {
            auto run = log.writer_seq_ts_from.run();
            run.bind(1, to_sql(seq));
            if (!run.step()) return false;
            found = seq_from_sql(run.int64(0));
            ts = run.int64(1);
            return true;
        };
        std::uint64_t lo = 0;
        std::int64_t ts = 0;
        if (!at_or_after(0, lo, ts) || ts >= cutoff) return 0;
        std::uint64_t hi = 0;
        {
            auto run = log.writer_max_seq.run();
            run.step();
            hi = seq_from_sql(run.int64(0));
        }
        while (lo < hi) {
            const std::uint64_t mid = lo + (hi - lo + 1) / 2;
            std::uint64_t found = 0;
            if (at_or_after(mid, found, ts) && found <= hi && ts < cutoff) lo = found;
            else hi = mid - 1;
        }
        return lo;
    }

    // Deletes the oldest readings up to and including seq up_to, one batch per
    // transaction, until `used` is at most target (when given). Counts them in meta.
    void delete_oldest(std::uint64_t up_to, std::optional<std::uint64_t> target, bool acked) {
        for (;;) {
            if (target && used <= *target) return;
            std::lock_guard lock(log.write_mutex);
            const std::uint64_t first = log.first_seq_locked();
            if (first == 0 || first > up_to) return;
            if (batches_left == 0) {
                report.incomplete = true;
                return;
            }
            --batches_left;
            const std::uint64_t batch = std::max<std::size_t>(quota.delete_batch, 1);
            const std::uint64_t last = up_to - first < batch ? up_to : first + batch - 1;
            std::uint64_t deleted = 0;
            log.writer.exec("BEGIN IMMEDIATE");
            try {
                log.delete_through.run().bind(1, to_sql(last)).execute();
                deleted = seq_from_sql(log.writer.changes());
                log.add_to_meta.run()
                    .bind(1, std::string_view(acked ? pruned_key : dropped_key))
                    .bind(2, to_sql(deleted))
                    .execute();
                log.writer.exec("COMMIT");
            } catch (...) {
                log.writer.rollback_quietly();
                throw;
            }
            if (acked) {
                report.pruned_acked_now += deleted;
            } else if (deleted > 0) {
                // The rows held are contiguous, so these are exactly the seqs deleted.
                if (report.dropped_first_seq == 0) report.dropped_first_seq = first;
                report.dropped_last_seq = first + deleted - 1;
                report.dropped_unacked_now += deleted;
            }
            used = log.used_bytes_locked();
        }
    }

    void note_drop_reason(const char* reason) {
        if (drop_reasons.find(reason) != std::string::npos) return;
        if (!drop_reasons.empty()) drop_reasons += "+";
        drop_reasons += reason;
    }

    void run(std::span<const std::string> sinks, TimestampUs now_us) {
        const std::uint64_t acked = acknowledged(sinks);
        const bool sized = quota.max_bytes != 0;
        const std::uint64_t low = std::min(quota.max_bytes, fraction_of(quota.max_bytes, quota.low_water));
        const std::uint64_t cutoff_seq =
            quota.max_age > Duration::zero() ? age_boundary(now_us - quota.max_age.count()) : 0;

        // 1. Acknowledged readings: down to the low-water mark, and whatever is too old.
        if (sized && used > quota.max_bytes) delete_oldest(acked, low, true);
        if (cutoff_seq > 0) delete_oldest(std::min(acked, cutoff_seq), std::nullopt, true);

        // 2. Unacknowledged readings, as the policy says.
        const std::uint64_t everything = std::numeric_limits<std::int64_t>::max();
        if (sized && used > quota.max_bytes) {
            const std::uint64_t dropped_before = report.dropped_unacked_now;
            if (quota.policy == QuotaPolicy::drop_oldest) {
                delete_oldest(everything, low, false);
            } else if (used > fraction_of(quota.max_bytes, std::max(quota.hard_limit, 1.0))) {
                // stop_low_priority: the gateway has stopped low points, yet the store
                // still grows; keep it from filling the disk.
                delete_oldest(everything, quota.max_bytes, false);
            }
            if (report.dropped_unacked_now > dropped_before) note_drop_reason("size");
        }
        if (cutoff_seq > 0 && quota.policy == QuotaPolicy::drop_oldest) {
            const std::uint64_t dropped_before = report.dropped_unacked_now;
            delete_oldest(cutoff_seq, std::nullopt, false);
            if (report.dropped_unacked_now > dropped_before) note_drop_reason("age");
        }
    }

    void audit_drops(TimestampUs now_us) {
        if (report.dropped_unacked_now == 0) return;
        JsonObject detail;
        detail.add("first_seq", report.dropped_first_seq)
            .add("last_seq", report.dropped_last_seq)
            .add("count", report.dropped_unacked_now)
            .add("reason", drop_reasons)
            .add("policy", policy_name(quota.policy))
            .add("used_bytes", used)
            .add("max_bytes", quota.max_bytes)
            .add("max_age_s", static_cast<std::int64_t>(quota.max_age.count() / 1'000'000));
        std::lock_guard lock(log.write_mutex);
        log.append_audit_locked(audit_kind::quota_dropped, detail.str(), now_us);
    }

    void trim_audit() {
        if (quota.max_audit_rows == 0) return;
        std::lock_guard lock(log.write_mutex);
        log.trim_audit.run().bind(1, to_sql(quota.max_audit_rows)).execute();
    }
};

QuotaReport ReadingLog::Impl::quota_state() {
    std::lock_guard lock(write_mutex);
    QuotaReport r;
    r.used_bytes = used_bytes_locked();
    r.pruned_acked = meta_locked(pruned_key);
    r.dropped_unacked = meta_locked(dropped_key);
    r.first_seq = first_seq_locked();
    return r;
}

QuotaReport ReadingLog::Impl::enforce_quota(const QuotaOptions& quota, std::span<const std::string> sinks,
                                            TimestampUs now_us) {
    if (!quota.enabled()) return quota_state();
    QuotaPass pass(*this, quota);
    try {
        pass.run(sinks, now_us);
    } catch (const StoreError&) {
        // What was deleted before the failure is gone: say so if the file lets us.
        try {
            pass.audit_drops(now_us);
        } catch (const StoreError&) {
        }
        throw;
    }
    pass.audit_drops(now_us);
    pass.trim_audit();
    QuotaReport r = quota_state();
    r.over_quota = quota.max_bytes != 0 && r.used_bytes > quota.max_bytes;
    r.pruned_acked_now = pass.report.pruned_acked_now;
    r.dropped_unacked_now = pass.report.dropped_unacked_now;
    r.dropped_first_seq = pass.report.dropped_first_seq;
    r.dropped_last_seq = pass.report.dropped_last_seq;
    r.incomplete = pass.report.incomplete;
    return r;
}

QuotaReport ReadingLog::enforce_quota(const QuotaOptions& quota, std::span<const std::string> sinks,
                                      TimestampUs now_us) {
    return impl_->enforce_quota(quota, sinks, now_us);
}

QuotaReport ReadingLog::quota_state() { return impl_->quota_state(); }

}  // namespace gridgate::store
