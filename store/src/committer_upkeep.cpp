// GroupCommitter's upkeep between commits: the disk quota, the bound on readings held in
// memory while the disk refuses them, and the log lines and audit events that make a
// failure visible once (not once per retry).
#include <algorithm>

#include "gridgate/store/group_committer.hpp"
#include "json_text.hpp"

namespace gridgate::store {

namespace {

constexpr std::string_view component = "store";

const char* policy_name(QuotaPolicy p) { return p == QuotaPolicy::drop_oldest ? "drop_oldest" : "stop_low_priority"; }

}  // namespace

void GroupCommitter::note_failure(std::unique_lock<std::mutex>& lock, const CommitResult& result,
                                  std::size_t readings) {
    // Count before logging, so whoever sees the log line sees the count too.
    ++stats_.failures;
    const bool first = ++failures_in_a_row_ == 1;
    const bool disk_started = result.disk_refused && !stats_.disk_full;
    if (first) first_failure_ = result.error;
    if (disk_started) {
        stats_.disk_full = true;
        ++stats_.disk_full_episodes;
        disk_full_since_ = wall_now();
    }
    const std::size_t pending = queued_readings_;
    const unsigned attempt = failures_in_a_row_;
    lock.unlock();
    if (disk_started)
        logger_.error(component, "disk refuses writes: commit of " + std::to_string(readings) +
                                     " readings failed, will retry with backoff while holding up to " +
                                     std::to_string(options_.max_pending_readings) + " readings in memory (" +
                                     std::to_string(pending) + " now): " + result.error);
    else if (first)
        logger_.error(component, "commit of " + std::to_string(readings) + " readings failed, will retry: " +
                                     result.error);
    else
        logger_.debug(component, "commit attempt " + std::to_string(attempt) + " failed: " + result.error);
    lock.lock();
}

void GroupCommitter::note_recovery(std::unique_lock<std::mutex>& lock) {
    const unsigned attempts = failures_in_a_row_;
    const bool was_disk_full = stats_.disk_full;
    const TimestampUs since = disk_full_since_;
    const std::string error = first_failure_;
    failures_in_a_row_ = 0;
    stats_.disk_full = false;
    pending_drop_logged_ = false;
    lock.unlock();
    logger_.info(component, "commit succeeded after " + std::to_string(attempts) + " failed attempts");
    if (was_disk_full) {
        const TimestampUs now = wall_now();
        logger_.info(component, "the disk accepts writes again after " + std::to_string((now - since) / 1'000'000) + " s");
        JsonObject detail;
        detail.add("since", format_iso8601_utc(since))
            .add("duration_s", static_cast<std::int64_t>((now - since) / 1'000'000))
            .add("failed_commits", static_cast<std::uint64_t>(attempts))
            .add("error", error);
        write_audit(audit_kind::disk_full, detail.str());
    }
    lock.lock();
}

void GroupCommitter::enforce_pending_bound() {
    const std::size_t bound = options_.max_pending_readings;
    if (bound == 0) return;
    std::uint64_t dropped = 0;
    bool resolved = false;
    while (queued_readings_ + in_flight_readings_ > bound && !queued_.empty()) {
        Batch& front = queued_.front();
        const std::size_t excess = queued_readings_ + in_flight_readings_ - bound;
        const std::size_t n = std::min(excess, front.readings.size());
        for (std::size_t i = 0; i < n; ++i) {
            const TimestampUs ts = front.readings[i].ts_us;
            if (unaudited_drops_.count == 0 && i == 0 && dropped == 0) {
                unaudited_drops_.oldest_ts = ts;
                unaudited_drops_.newest_ts = ts;
            }
            unaudited_drops_.oldest_ts = std::min(unaudited_drops_.oldest_ts, ts);
            unaudited_drops_.newest_ts = std::max(unaudited_drops_.newest_ts, ts);
        }
        // A durable submit that loses any of its readings is answered done(false) (by the
        // committer thread); the rest of its readings are still committed.
        std::size_t kept = 0;
        for (auto& waiter : front.waiters) {
            if (waiter.begin < n) {
                dropped_waiters_.push_back(std::move(waiter.done));
                --queued_waiters_;
            } else {
                front.waiters[kept++] = Waiter{waiter.begin - n, waiter.end - n, std::move(waiter.done)};
            }
        }
        front.waiters.resize(kept);
        if (n == front.readings.size()) {
            resolved_batches_ += front.batches;  // nothing left to wait for: release flush()
            resolved = true;
            queued_.pop_front();
        } else {
            front.readings.erase(front.readings.begin(), front.readings.begin() + static_cast<std::ptrdiff_t>(n));
        }
        queued_readings_ -= n;
        dropped += n;
        unaudited_drops_.count += n;
    }
    if (dropped == 0) return;
    stats_.dropped_pending += dropped;
    if (resolved) done_.notify_all();
    if (!pending_drop_logged_) {
        pending_drop_logged_ = true;
        logger_.warn(component, "more than " + std::to_string(bound) +
                                    " readings waiting for the disk: dropping the oldest pending readings (" +
                                    std::to_string(dropped) + " so far); counted in dropped_pending and audited");
    }
}

void GroupCommitter::audit_dropped_pending(std::unique_lock<std::mutex>& lock) {
    const UnauditedDrops drops = unaudited_drops_;
    unaudited_drops_ = {};
    lock.unlock();
    JsonObject detail;
    detail.add("count", drops.count)
        .add("oldest_ts", format_iso8601_utc(drops.oldest_ts))
        .add("newest_ts", format_iso8601_utc(drops.newest_ts))
        .add("max_pending_readings", static_cast<std::uint64_t>(options_.max_pending_readings));
    const bool written = write_audit(audit_kind::pending_dropped, detail.str());
    if (written)
        logger_.warn(component, std::to_string(drops.count) + " readings were dropped from memory while the disk "
                                                              "refused writes (audited as pending_dropped)");
    lock.lock();
    if (!written) {
        // Try again after the next commit.
        if (unaudited_drops_.count == 0) {
            unaudited_drops_ = drops;
        } else {
            unaudited_drops_.count += drops.count;
            unaudited_drops_.oldest_ts = std::min(unaudited_drops_.oldest_ts, drops.oldest_ts);
            unaudited_drops_.newest_ts = std::max(unaudited_drops_.newest_ts, drops.newest_ts);
        }
    }
}

void GroupCommitter::run_quota(std::unique_lock<std::mutex>& lock) {
    quota_requested_ = false;
    QuotaOptions quota = options_.quota;
    quota.max_batches_per_run = options_.quota_batches_per_run;
    const bool was_over = stats_.quota.over_quota;
    const bool was_failing = quota_failing_;
    lock.unlock();

    QuotaReport report;
    std::string error;
    try {
        report = log_.enforce_quota(quota, options_.sinks, wall_now());
    } catch (const std::exception& e) {
        error = e.what();
    }
    const bool ok = error.empty();

    // Stats first, then log lines, audit and the observer: whoever is told sees the count.
    lock.lock();
    ++stats_.quota_runs;
    quota_failing_ = !ok;
    if (ok) stats_.quota = report;
    else ++stats_.quota_failures;
    // An unfinished run (it stops after quota_batches_per_run deletes) goes on right
    // after the next commit.
    next_quota_at_ = SteadyClock::now() + (ok && report.incomplete ? Duration::zero() : options_.quota_check_interval);
    lock.unlock();

    if (!ok) {
        if (!was_failing) logger_.error(component, "quota run failed, will retry: " + error);
        lock.lock();
        return;
    }
    if (was_failing) logger_.info(component, "quota runs succeed again");
    if (report.dropped_unacked_now > 0)
        logger_.warn(component, "quota: dropped " + std::to_string(report.dropped_unacked_now) +
                                    " unacknowledged readings, seq " + std::to_string(report.dropped_first_seq) + ".." +
                                    std::to_string(report.dropped_last_seq) + " (" + policy_name(quota.policy) +
                                    ", " + std::to_string(report.used_bytes) + " of " +
                                    std::to_string(quota.max_bytes) + " bytes used; audited as quota_dropped)");
    if (report.pruned_acked_now > 0)
        logger_.debug(component, "quota: pruned " + std::to_string(report.pruned_acked_now) +
                                     " acknowledged readings, " + std::to_string(report.used_bytes) + " bytes used");
    if (report.over_quota != was_over) {
        JsonObject detail;
        detail.add("used_bytes", report.used_bytes)
            .add("max_bytes", quota.max_bytes)
            .add("policy", policy_name(quota.policy));
        if (report.over_quota)
            logger_.warn(component, "store over its quota (" + std::to_string(report.used_bytes) + " of " +
                                        std::to_string(quota.max_bytes) + " bytes)" +
                                        (quota.policy == QuotaPolicy::stop_low_priority
                                             ? ": low-priority points stop until there is room"
                                             : ""));
        else
            logger_.info(component, "store back within its quota (" + std::to_string(report.used_bytes) + " of " +
                                        std::to_string(quota.max_bytes) + " bytes)");
        write_audit(report.over_quota ? audit_kind::quota_over : audit_kind::quota_ok, detail.str());
    }
    if (options_.on_quota) {
        try {
            options_.on_quota(report);
        } catch (const std::exception& e) {
            logger_.error(component, std::string("on_quota callback threw: ") + e.what());
        }
    }
    lock.lock();
}

void GroupCommitter::make_room(std::unique_lock<std::mutex>& lock) {
    // The disk refused a commit, quota or not. Two things free room without losing
    // anything: a restarted WAL is rewritten from its start instead of growing, and
    // readings every sink has acknowledged can go (a tenth of the store per failed
    // commit, so a full disk does not wipe the acknowledged history at once).
    // Unacknowledged readings are never dropped here: that is the quota's decision.
    lock.unlock();
    log_.checkpoint();
    QuotaReport report;
    bool pruned = false;
    if (!options_.sinks.empty()) {
        try {
            const std::uint64_t used = log_.used_bytes();
            QuotaOptions room;
            room.max_bytes = used > 1 ? used - 1 : 1;  // "over quota" now, so acknowledged readings go
            room.policy = QuotaPolicy::stop_low_priority;
            room.hard_limit = 1e9;  // never drops an unacknowledged reading
            room.delete_batch = options_.quota.delete_batch;
            room.max_batches_per_run = options_.quota_batches_per_run;
            room.max_audit_rows = 0;
            report = log_.enforce_quota(room, options_.sinks, wall_now());
            pruned = report.pruned_acked_now > 0;
        } catch (const std::exception& e) {
            logger_.debug(component, std::string("making room on a full disk failed: ") + e.what());
        }
    }
    if (pruned) {
        logger_.warn(component, "disk full: pruned " + std::to_string(report.pruned_acked_now) +
                                    " acknowledged readings to make room");
        if (report.pruned_acked_now > 0) log_.checkpoint();
    }
    lock.lock();
}

bool GroupCommitter::write_audit(const char* kind, const std::string& detail) {
    try {
        log_.append_audit(kind, detail, wall_now());
        return true;
    } catch (const std::exception& e) {
        logger_.error(component, std::string("could not write audit event ") + kind + " " + detail + ": " + e.what());
        return false;
    }
}

}  // namespace gridgate::store
