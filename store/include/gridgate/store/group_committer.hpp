#pragma once
// Group commit: collects submitted readings and appends them to the ReadingLog in one
// transaction every `interval` or as soon as `max_batch` readings are waiting, on its
// own thread so fsync never blocks the polling strands.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/store/reading_log.hpp"

namespace gridgate::store {

struct GroupCommitOptions {
    Duration interval = std::chrono::milliseconds(100);
    std::size_t max_batch = 10'000;
};

struct GroupCommitStats {
    std::uint64_t commits = 0;
    std::uint64_t readings = 0;
    std::uint64_t failures = 0;  // commits that failed and were retried
    std::size_t pending = 0;
};

class GroupCommitter final : public ReadingSink {
public:
    // on_commit runs on the committer thread after each successful commit.
    GroupCommitter(ReadingLog& log, GroupCommitOptions options, Logger& logger,
                   std::function<void(SeqRange)> on_commit = {});
    ~GroupCommitter() override;  // flushes what is pending, then joins

    void submit(std::vector<Reading> readings) override;
    // Blocks until everything submitted before the call is committed.
    void flush();
    GroupCommitStats stats() const;

private:
    void run();

    ReadingLog& log_;
    GroupCommitOptions options_;
    Logger& logger_;
    std::function<void(SeqRange)> on_commit_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    std::vector<Reading> pending_;
    std::uint64_t submitted_batches_ = 0;
    std::uint64_t committed_batches_ = 0;
    GroupCommitStats stats_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace gridgate::store
