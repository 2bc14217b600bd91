#pragma once
// Group commit: collects submitted readings and appends them to the ReadingLog in one
// transaction every `interval` or as soon as `max_batch` readings are waiting, on its
// own thread so fsync never blocks the polling strands.
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

#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/store/reading_log.hpp"

namespace gridgate::store {

struct GroupCommitOptions {
    Duration interval = std::chrono::milliseconds(100);  // max wait of the oldest pending reading
    std::size_t max_batch = 10'000;  // commit at once when this many wait; also caps one transaction
    Duration retry_delay = std::chrono::seconds(1);  // after a failed commit
    unsigned shutdown_attempts = 3;  // commit attempts at destruction before giving up (logged)
};

struct GroupCommitStats {
    std::uint64_t commits = 0;
    std::uint64_t readings = 0;
    std::uint64_t failures = 0;  // commits that failed and were retried
    std::size_t pending = 0;
};

class GroupCommitter final : public ReadingSink {
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
    // Blocks until everything submitted before the call is committed, or the committer
    // has stopped.
    void flush();
    GroupCommitStats stats() const;

private:
    using SteadyClock = std::chrono::steady_clock;
    struct Batch {
        std::vector<Reading> readings;
        SteadyClock::time_point submitted;
    };

    void run();
    void run_loop(std::unique_lock<std::mutex>& lock);
    void wait_until_due(std::unique_lock<std::mutex>& lock);
    std::vector<Reading> take_queued(std::uint64_t& batches_after);
    std::optional<SeqRange> try_commit(const std::vector<Reading>& readings, std::string& error);
    void report_commit(SeqRange range);

    ReadingLog& log_;
    GroupCommitOptions options_;
    Logger& logger_;
    std::function<void(SeqRange)> on_commit_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;  // committer thread: work, flush request or stop
    std::condition_variable done_;  // flush() callers: a commit finished or the thread ended
    std::deque<Batch> queued_;
    std::size_t queued_readings_ = 0;
    std::size_t in_flight_readings_ = 0;
    std::uint64_t submitted_batches_ = 0;
    std::uint64_t committed_batches_ = 0;  // batches are committed in submit order
    std::uint64_t flush_target_ = 0;      // commit now until committed_batches_ reaches this
    GroupCommitStats stats_;
    bool stopping_ = false;
    bool finished_ = false;
    std::thread thread_;  // last: starts after everything above is initialised
};

}  // namespace gridgate::store
