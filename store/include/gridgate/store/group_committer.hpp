#pragma once
// Group commit: collects submitted readings and appends them to the ReadingLog in one
// transaction every `interval` or as soon as `max_batch` readings are waiting, on its
// own thread so fsync never blocks the polling strands. The same thread applies the disk
// quota, and rides out a full disk: readings stay pending (up to a bound) and are
// retried with backoff until the disk takes them again. Readings a meter waits to have
// confirmed go through submit_durable: committed at once and fsynced whatever the
// SyncMode, with a callback once they are safe. docs/store.md has the details.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/store/reading_log.hpp"

namespace gridgate::store {

struct GroupCommitOptions {
    Duration interval = std::chrono::milliseconds(100);  // max wait of the oldest pending reading
    std::size_t max_batch = 10'000;  // commit at once when this many wait; also caps one transaction
    Duration retry_delay = std::chrono::seconds(1);  // after a failed commit; doubles up to max_retry_delay
    unsigned shutdown_attempts = 3;  // commit attempts at destruction before giving up (logged)

    QuotaOptions quota = {};         // off unless max_bytes or max_age is set
    std::vector<std::string> sinks = {};  // cursors that count as acknowledgement for the quota
    Duration quota_check_interval = std::chrono::seconds(5);  // and at once after a disk-full error
    std::size_t quota_batches_per_run = 10;  // delete transactions per quota run, so commits interleave
    std::size_t max_pending_readings = 200'000;  // held in memory while commits fail; beyond: oldest dropped
    Duration max_retry_delay = std::chrono::seconds(30);  // backoff ceiling
    const Clock* clock = nullptr;  // wall time for max_age and audit events; nullptr = the system clock
    // Runs on the committer thread after each quota run, e.g. to stop low-priority points
    // while report.over_quota is set (stop_low_priority).
    std::function<void(const QuotaReport&)> on_quota = {};
};

struct GroupCommitStats {
    std::uint64_t commits = 0;
    std::uint64_t readings = 0;
    std::uint64_t failures = 0;  // commits that failed and were retried
    std::size_t pending = 0;
    bool disk_full = false;               // commits are failing because the disk refuses writes
    std::uint64_t disk_full_episodes = 0;
    std::uint64_t dropped_pending = 0;    // readings dropped from memory beyond max_pending_readings
    std::uint64_t quota_runs = 0;
    std::uint64_t quota_failures = 0;     // quota runs that failed (logged, retried next interval)
    std::uint64_t durable_commits = 0;    // commits holding submit_durable batches (committed at once, fsynced)
    QuotaReport quota;                    // result of the last quota run (or the state at start)
};

class GroupCommitter final : public DurableSink {
public:
    // on_commit runs on the committer thread after each successful commit, before
    // flush() callers waiting for that commit are released.
    GroupCommitter(ReadingLog& log, GroupCommitOptions options, Logger& logger,
                   std::function<void(SeqRange)> on_commit = {});
    ~GroupCommitter() override;  // flushes what is pending, then joins
    GroupCommitter(const GroupCommitter&) = delete;
    GroupCommitter& operator=(const GroupCommitter&) = delete;

    // O(1): the batch is moved into a queue; the committer thread concatenates.
    void submit(std::vector<Reading> readings) override;
    // DurableSink: queued like submit(), but due at once, and the transaction holding it
    // is committed with ReadingLog::append_synced. done(true) after that commit (after
    // on_commit); done(false) if any of its readings are dropped past
    // max_pending_readings, or the committer gives up at shutdown (or stops) without
    // committing them. The quota deletes only committed readings, so it can never drop
    // them before done(true). done runs on the committer thread with no lock held,
    // except for an empty batch (done(true) at once, before returning).
    void submit_durable(std::vector<Reading> readings, std::function<void(bool stored)> done) override;
    // Blocks until everything submitted before the call is committed (or dropped past
    // max_pending_readings), or the committer has stopped. While the disk is full that
    // can take as long as the disk stays full: use flush_for where that matters.
    void flush();
    // flush() for at most `timeout`; false when it timed out.
    bool flush_for(Duration timeout);
    GroupCommitStats stats() const;

private:
    using SteadyClock = std::chrono::steady_clock;
    using Done = std::function<void(bool)>;
    // A submit_durable batch inside a Batch: its readings are [begin, end) there.
    struct Waiter {
        std::size_t begin = 0;
        std::size_t end = 0;
        Done done;
    };
    struct Batch {
        std::vector<Reading> readings;
        SteadyClock::time_point submitted;
        std::uint64_t batches = 1;  // submitted batches it stands for (a failed commit's are merged)
        std::vector<Waiter> waiters = {};  // durable submits among them, in order
    };
    struct CommitResult {
        std::optional<SeqRange> range;
        std::string error;
        bool disk_refused = false;  // SQLITE_FULL or an I/O error: the disk, not the data
    };
    // Readings dropped past max_pending_readings and not yet written to the audit log.
    struct UnauditedDrops {
        std::uint64_t count = 0;
        TimestampUs oldest_ts = 0;
        TimestampUs newest_ts = 0;
    };

    void enqueue(std::vector<Reading> readings, Done done);
    void run();
    void fire_dropped(std::unique_lock<std::mutex>& lock);
    void call_done(const Done& done, bool stored);
    void run_loop(std::unique_lock<std::mutex>& lock);
    bool wait_for_work(std::unique_lock<std::mutex>& lock);
    bool commit_due(SteadyClock::time_point now) const;
    bool quota_due(SteadyClock::time_point now) const;
    Batch take_queued();
    void put_back(Batch batch);
    CommitResult try_commit(const std::vector<Reading>& readings, bool synced);
    void report_commit(SeqRange range);
    void note_failure(std::unique_lock<std::mutex>& lock, const CommitResult& result, std::size_t readings);
    void note_recovery(std::unique_lock<std::mutex>& lock);
    void enforce_pending_bound();
    void audit_dropped_pending(std::unique_lock<std::mutex>& lock);
    void run_quota(std::unique_lock<std::mutex>& lock);
    void make_room(std::unique_lock<std::mutex>& lock);
    bool write_audit(const char* kind, const std::string& detail);  // false (logged) if the file refused
    TimestampUs wall_now() const;

    ReadingLog& log_;
    GroupCommitOptions options_;
    Logger& logger_;
    std::function<void(SeqRange)> on_commit_;
    SystemClock system_clock_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;  // committer thread: work, flush request or stop
    std::condition_variable done_;  // flush() callers: a commit finished or the thread ended
    std::deque<Batch> queued_;
    std::size_t queued_readings_ = 0;
    std::size_t in_flight_readings_ = 0;
    std::size_t queued_waiters_ = 0;          // durable submits in queued_: a commit is due at once
    std::vector<Waiter> in_flight_waiters_;   // those in the commit attempt in progress
    std::vector<Done> dropped_waiters_;       // dropped past the bound: done(false) on the committer thread
    std::uint64_t submitted_batches_ = 0;
    std::uint64_t resolved_batches_ = 0;  // committed or dropped; always the oldest ones
    std::uint64_t flush_target_ = 0;      // commit now until resolved_batches_ reaches this
    GroupCommitStats stats_;
    UnauditedDrops unaudited_drops_;
    bool pending_drop_logged_ = false;    // one warning per episode of drops
    bool quota_failing_ = false;          // one error per episode of failing quota runs
    unsigned failures_in_a_row_ = 0;
    std::string first_failure_;           // the error that started this episode
    TimestampUs disk_full_since_ = 0;
    SteadyClock::time_point next_quota_at_{};
    bool quota_requested_ = false;
    bool stopping_ = false;
    bool finished_ = false;
    std::thread thread_;  // last: starts after everything above is initialised
};

}  // namespace gridgate::store
