#include "gridgate/store/group_committer.hpp"

#include <algorithm>
#include <exception>
#include <iterator>
#include <string>

namespace gridgate::store {

namespace {
constexpr std::string_view component = "store";
}

GroupCommitter::GroupCommitter(ReadingLog& log, GroupCommitOptions options, Logger& logger,
                               std::function<void(SeqRange)> on_commit)
    : log_(log), options_(std::move(options)), logger_(logger), on_commit_(std::move(on_commit)) {
    if (options_.quota.enabled()) {
        // The first run is due at once: a store reopened over its quota is trimmed before
        // it grows further.
        quota_requested_ = true;
        stats_.quota = log_.quota_state();
    }
    thread_ = std::thread([this] { run(); });
}

GroupCommitter::~GroupCommitter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void GroupCommitter::submit(std::vector<Reading> readings) {
    if (readings.empty()) return;
    enqueue(std::move(readings), {});
}

void GroupCommitter::submit_durable(std::vector<Reading> readings, std::function<void(bool stored)> done) {
    if (readings.empty()) {
        call_done(done, true);  // nothing to wait for
        return;
    }
    enqueue(std::move(readings), std::move(done));
}

void GroupCommitter::enqueue(std::vector<Reading> readings, Done done) {
    const bool durable = static_cast<bool>(done);
    const std::size_t count = readings.size();
    bool notify = false;
    {
        std::lock_guard lock(mutex_);
        if (!finished_) {
            // The thread sleeps without a deadline while the queue is empty, and only needs
            // waking early when the size threshold is reached, a durable batch is due at
            // once, or the bound dropped a durable batch whose done(false) it must call.
            notify = queued_.empty() || durable;
            queued_readings_ += count;
            Batch batch{std::move(readings), SteadyClock::now()};
            if (durable) {
                batch.waiters.push_back(Waiter{0, count, std::move(done)});
                ++queued_waiters_;
            }
            queued_.push_back(std::move(batch));
            ++submitted_batches_;
            notify = notify || queued_readings_ >= options_.max_batch;
            enforce_pending_bound();
            notify = notify || !dropped_waiters_.empty();
            if (notify) wake_.notify_one();
            return;
        }
    }
    // Only possible when a producer outlives the committer: a wiring bug, made loud.
    logger_.error(component, "submit after the group committer stopped: " + std::to_string(count) +
                                 " readings not stored");
    if (durable) call_done(done, false);
}

void GroupCommitter::flush() {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = submitted_batches_;
    if (resolved_batches_ >= target) return;
    if (flush_target_ < target) flush_target_ = target;
    wake_.notify_one();
    done_.wait(lock, [&] { return resolved_batches_ >= target || finished_; });
}

bool GroupCommitter::flush_for(Duration timeout) {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = submitted_batches_;
    if (resolved_batches_ >= target) return true;
    if (flush_target_ < target) flush_target_ = target;
    wake_.notify_one();
    return done_.wait_for(lock, timeout, [&] { return resolved_batches_ >= target || finished_; });
}

GroupCommitStats GroupCommitter::stats() const {
    std::lock_guard lock(mutex_);
    GroupCommitStats s = stats_;
    s.pending = queued_readings_ + in_flight_readings_;
    return s;
}

void GroupCommitter::run() {
    std::unique_lock lock(mutex_);
    try {
        run_loop(lock);
    } catch (const std::exception& e) {
        // Nothing in the loop is expected to throw (commit and quota errors are caught
        // there); this is bad_alloc territory. Stop cleanly rather than terminate the daemon.
        if (!lock.owns_lock()) lock.lock();
        logger_.error(component, std::string("group committer stopped: ") + e.what());
    } catch (...) {
        if (!lock.owns_lock()) lock.lock();
        logger_.error(component, "group committer stopped: unknown exception");
    }
    if (!lock.owns_lock()) lock.lock();
    finished_ = true;
    // Durable submits that will never be committed now: what the last attempt held, what
    // is still queued (the committer gave up, or stopped on an exception) and what the
    // bound dropped.
    std::vector<Done> unstored = std::move(dropped_waiters_);
    dropped_waiters_.clear();
    for (auto& waiter : in_flight_waiters_) unstored.push_back(std::move(waiter.done));
    in_flight_waiters_.clear();
    for (auto& batch : queued_) {
        for (auto& waiter : batch.waiters) unstored.push_back(std::move(waiter.done));
        batch.waiters.clear();
    }
    queued_waiters_ = 0;
    lock.unlock();
    done_.notify_all();
    for (const auto& done : unstored) call_done(done, false);
}

void GroupCommitter::fire_dropped(std::unique_lock<std::mutex>& lock) {
    if (dropped_waiters_.empty()) return;
    std::vector<Done> dropped = std::move(dropped_waiters_);
    dropped_waiters_.clear();
    lock.unlock();
    for (const auto& done : dropped) call_done(done, false);
    lock.lock();
}

void GroupCommitter::call_done(const Done& done, bool stored) {
    try {
        done(stored);
    } catch (const std::exception& e) {
        // The producer's problem; the readings' fate is decided either way.
        logger_.error(component, std::string("submit_durable callback threw: ") + e.what());
    } catch (...) {
        logger_.error(component, "submit_durable callback threw");
    }
}

void GroupCommitter::run_loop(std::unique_lock<std::mutex>& lock) {
    bool retry_pending = false;  // the last commit failed: wait out the backoff, then retry
    Duration retry_delay = options_.retry_delay;
    unsigned shutdown_failures = 0;
    for (;;) {
        if (retry_pending) {
            // Wake at once when asked to stop, so shutdown does not sit out a whole delay,
            // and do not back off further while stopping. Durable submits dropped by the
            // bound meanwhile are answered at once, not after the delay.
            const bool was_stopping = stopping_;
            const auto retry_at = SteadyClock::now() + (stopping_ ? options_.retry_delay : retry_delay);
            for (;;) {
                fire_dropped(lock);
                const bool woken = wake_.wait_until(
                    lock, retry_at, [&] { return stopping_ != was_stopping || !dropped_waiters_.empty(); });
                if (!woken || stopping_ != was_stopping) break;
            }
            retry_delay = std::min(retry_delay * 2, std::max(options_.max_retry_delay, options_.retry_delay));
        } else if (!wait_for_work(lock)) {
            if (quota_due(SteadyClock::now())) run_quota(lock);
            if (stopping_ && queued_.empty()) return;  // everything is committed
            continue;
        }
        if (quota_due(SteadyClock::now())) run_quota(lock);
        if (queued_.empty()) {
            retry_pending = false;
            continue;
        }

        Batch batch = take_queued();
        const bool synced = !in_flight_waiters_.empty();
        lock.unlock();
        const CommitResult result = try_commit(batch.readings, synced);
        lock.lock();

        if (result.range) {
            // Stats first, then the observer, then durable submitters, then flush()
            // callers: whoever is woken by a step sees the ones before it done.
            ++stats_.commits;
            stats_.readings += batch.readings.size();
            if (synced) ++stats_.durable_commits;
            in_flight_readings_ = 0;
            std::vector<Waiter> stored = std::move(in_flight_waiters_);
            in_flight_waiters_.clear();
            if (failures_in_a_row_ > 0) note_recovery(lock);
            retry_pending = false;
            retry_delay = options_.retry_delay;
            shutdown_failures = 0;
            lock.unlock();
            report_commit(*result.range);
            for (const auto& waiter : stored) call_done(waiter.done, true);
            lock.lock();
            // The disk takes writes again: record what was dropped meanwhile before
            // flush() callers return, so they find it in the audit log.
            if (unaudited_drops_.count > 0) audit_dropped_pending(lock);
            resolved_batches_ += batch.batches;
            done_.notify_all();
            continue;
        }

        const std::size_t readings = batch.readings.size();
        put_back(std::move(batch));
        note_failure(lock, result, readings);
        const bool give_up = stopping_ && ++shutdown_failures >= options_.shutdown_attempts;
        if (give_up) {
            const std::size_t stranded = queued_readings_;
            lock.unlock();
            logger_.error(component, "giving up at shutdown: " + std::to_string(stranded) +
                                         " readings could not be committed and are lost (" + result.error + ")");
            lock.lock();
            return;
        }
        if (result.disk_refused && !stopping_) {
            make_room(lock);
            quota_requested_ = true;
            if (quota_due(SteadyClock::now())) run_quota(lock);
        }
        retry_pending = true;
    }
}

bool GroupCommitter::commit_due(SteadyClock::time_point now) const {
    if (queued_.empty()) return false;
    return stopping_ || queued_waiters_ > 0 || queued_readings_ >= options_.max_batch ||
           flush_target_ > resolved_batches_ || now >= queued_.front().submitted + options_.interval;
}

bool GroupCommitter::quota_due(SteadyClock::time_point now) const {
    return options_.quota.enabled() && !stopping_ && (quota_requested_ || now >= next_quota_at_);
}

// True when a commit is due; false when only the quota is, or when stopping with nothing
// left to commit. A due commit goes first, so a long quota job cannot starve commits.
bool GroupCommitter::wait_for_work(std::unique_lock<std::mutex>& lock) {
    for (;;) {
        fire_dropped(lock);
        const auto now = SteadyClock::now();
        if (commit_due(now)) return true;
        if (quota_due(now)) return false;
        if (queued_.empty() && stopping_) return false;
        std::optional<SteadyClock::time_point> deadline;
        if (!queued_.empty()) deadline = queued_.front().submitted + options_.interval;
        if (options_.quota.enabled() && !stopping_ && (!deadline || next_quota_at_ < *deadline))
            deadline = next_quota_at_;
        if (deadline) wake_.wait_until(lock, *deadline);
        else wake_.wait(lock);
    }
}

GroupCommitter::Batch GroupCommitter::take_queued() {
    // Whole batches, oldest first, up to max_batch readings (at least one batch), so a
    // backlog built up during failures is committed in bounded transactions.
    Batch out{{}, queued_.front().submitted, 0};
    while (!queued_.empty()) {
        Batch& next = queued_.front();
        if (!out.readings.empty() && out.readings.size() + next.readings.size() > options_.max_batch) break;
        // The durable submits move with their readings, their ranges shifted to where
        // those land in the transaction.
        const std::size_t offset = out.readings.size();
        for (auto& waiter : next.waiters)
            in_flight_waiters_.push_back(Waiter{waiter.begin + offset, waiter.end + offset, std::move(waiter.done)});
        queued_waiters_ -= next.waiters.size();
        queued_readings_ -= next.readings.size();
        if (out.readings.empty()) out.readings = std::move(next.readings);
        else
            out.readings.insert(out.readings.end(), std::make_move_iterator(next.readings.begin()),
                                std::make_move_iterator(next.readings.end()));
        out.batches += next.batches;
        queued_.pop_front();
    }
    in_flight_readings_ = out.readings.size();
    return out;
}

void GroupCommitter::put_back(Batch batch) {
    // Back at the front, as the oldest pending readings: the bound trims from there.
    in_flight_readings_ = 0;
    queued_readings_ += batch.readings.size();
    batch.waiters = std::move(in_flight_waiters_);
    in_flight_waiters_.clear();
    queued_waiters_ += batch.waiters.size();
    queued_.push_front(std::move(batch));
    enforce_pending_bound();
}

GroupCommitter::CommitResult GroupCommitter::try_commit(const std::vector<Reading>& readings, bool synced) {
    CommitResult result;
    try {
        result.range = synced ? log_.append_synced(readings) : log_.append(readings);
    } catch (const StoreError& e) {
        result.error = e.what();
        result.disk_refused = e.kind() == StoreErrorKind::disk_full || e.kind() == StoreErrorKind::io;
    } catch (const std::exception& e) {
        // Anything else is treated the same: keep the readings and retry, never let it
        // end the thread.
        result.error = e.what();
    }
    return result;
}

void GroupCommitter::report_commit(SeqRange range) {
    if (!on_commit_) return;
    try {
        on_commit_(range);
    } catch (const std::exception& e) {
        // The readings are durable; a failing observer must not make us commit them twice.
        logger_.error(component, std::string("on_commit callback threw: ") + e.what());
    }
}

TimestampUs GroupCommitter::wall_now() const {
    return options_.clock != nullptr ? options_.clock->now_utc_us() : system_clock_.now_utc_us();
}

}  // namespace gridgate::store
