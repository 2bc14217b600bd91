#include <catch2/catch.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "gridgate/store/group_committer.hpp"
#include "test_support.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;
using namespace std::chrono_literals;

namespace {

// Records on_commit ranges; lets a test wait for the n-th commit without sleeping.
class CommitRecorder {
public:
    std::function<void(SeqRange)> callback() {
        return [this](SeqRange r) {
            {
                std::lock_guard lock(mutex_);
                ranges_.push_back(r);
            }
            changed_.notify_all();
        };
    }
    bool wait_for_commits(std::size_t n) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, must_happen_within, [&] { return ranges_.size() >= n; });
    }
    std::vector<SeqRange> ranges() {
        std::lock_guard lock(mutex_);
        return ranges_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<SeqRange> ranges_;
};

void require_contiguous(const std::vector<SeqRange>& ranges, std::uint64_t total) {
    std::uint64_t next = 1;
    for (const SeqRange& r : ranges) {
        REQUIRE(r.first == next);
        REQUIRE(r.last >= r.first);
        next = r.last + 1;
    }
    REQUIRE(next == total + 1);
}

}  // namespace

TEST_CASE("group commit: commits as soon as max_batch readings wait") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    CommitRecorder commits;
    GroupCommitter committer(log, {.interval = 1h, .max_batch = 5}, null_logger(), commits.callback());

    committer.submit(series("m1", "kwh", 2));
    committer.submit(series("m1", "kwh", 3));
    REQUIRE(commits.wait_for_commits(1));
    CHECK(commits.ranges().front() == SeqRange{1, 5});
    CHECK(log.last_seq() == 5);

    // Below the threshold and an hour from the interval: it waits.
    committer.submit(series("m1", "kwh", 1));
    CHECK(committer.stats().pending == 1);
    CHECK(committer.stats().commits == 1);
    committer.flush();
    CHECK(committer.stats().pending == 0);
    CHECK(committer.stats().commits == 2);
    CHECK(commits.ranges().back() == SeqRange{6, 6});
}

TEST_CASE("group commit: commits when the interval has passed") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    CommitRecorder commits;
    GroupCommitter committer(log, {.interval = 20ms, .max_batch = 1'000'000}, null_logger(), commits.callback());
    committer.submit(series("m1", "kwh", 3));
    REQUIRE(commits.wait_for_commits(1));  // no flush(): only the interval can have done it
    CHECK(commits.ranges().front() == SeqRange{1, 3});
    const GroupCommitStats s = committer.stats();
    CHECK(s.commits == 1);
    CHECK(s.readings == 3);
    CHECK(s.failures == 0);
}

TEST_CASE("group commit: on_commit ranges are contiguous and cover every reading") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    CommitRecorder commits;
    GroupCommitter committer(log, {.interval = 1ms, .max_batch = 7}, null_logger(), commits.callback());
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < 60; ++i) {
        const std::size_t n = i % 11;  // includes empty batches and ones above max_batch
        committer.submit(series("m" + std::to_string(i % 4), "p", n));
        total += n;
        if (i % 20 == 19) committer.flush();
    }
    committer.flush();
    const auto ranges = commits.ranges();
    require_contiguous(ranges, total);
    CHECK(committer.stats().readings == total);
    CHECK(committer.stats().commits == ranges.size());
    CHECK(log.last_seq() == total);
}

TEST_CASE("group commit: flush with nothing pending returns at once") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    GroupCommitter committer(log, {}, null_logger());
    committer.flush();
    committer.submit({});
    committer.flush();
    CHECK(committer.stats().commits == 0);
}

TEST_CASE("group commit: the destructor commits what is pending") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    CommitRecorder commits;
    {
        GroupCommitter committer(log, {.interval = 1h, .max_batch = 1'000'000}, null_logger(), commits.callback());
        committer.submit(series("m1", "kwh", 4));
        committer.submit(series("m2", "kwh", 4));
        CHECK(committer.stats().pending == 8);
    }
    CHECK(log.reading_count() == 8);
    require_contiguous(commits.ranges(), 8);
}

TEST_CASE("group commit: concurrent submitters get exactly their readings, contiguous") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    CommitRecorder commits;
    GroupCommitter committer(log, {.interval = 2ms, .max_batch = 50}, null_logger(), commits.callback());

    constexpr int threads = 4;
    constexpr int batches_per_thread = 150;
    std::vector<std::thread> producers;
    std::uint64_t expected = 0;
    for (int t = 0; t < threads; ++t)
        for (int b = 0; b < batches_per_thread; ++b) expected += static_cast<std::uint64_t>(b % 4 + 1);
    for (int t = 0; t < threads; ++t)
        producers.emplace_back([&committer, t] {
            TimestampUs ts = 0;
            for (int b = 0; b < batches_per_thread; ++b) {
                std::vector<Reading> batch;
                for (int i = 0; i < b % 4 + 1; ++i)
                    batch.push_back(make_reading("thread-" + std::to_string(t), "p", ++ts, 1.0));
                committer.submit(std::move(batch));
            }
        });
    for (auto& p : producers) p.join();
    committer.flush();

    CHECK(log.last_seq() == expected);
    CHECK(log.reading_count() == expected);
    require_contiguous(commits.ranges(), expected);
    // Each producer's readings are all there, in the order it submitted them.
    std::map<std::string, TimestampUs> last_ts;
    std::map<std::string, std::uint64_t> per_thread;
    const auto all = log.read_after(0, expected + 1);
    REQUIRE(all.size() == expected);
    for (std::size_t i = 0; i < all.size(); ++i) {
        REQUIRE(all[i].seq == i + 1);
        const Reading& r = all[i].reading;
        REQUIRE(r.ts_us > last_ts[r.meter]);
        last_ts[r.meter] = r.ts_us;
        ++per_thread[r.meter];
    }
    REQUIRE(per_thread.size() == threads);
    for (const auto& [meter, count] : per_thread) CHECK(count == expected / threads);
}

TEST_CASE("group commit: a failing commit is logged, counted and retried without loss") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    ReadingLog log({path, SyncMode::full, 0ms});  // fail at once on a lock
    RecordingLogger logger;
    CommitRecorder commits;
    GroupCommitter committer(log, {.interval = 1ms, .max_batch = 100, .retry_delay = 5ms}, logger,
                             commits.callback());

    RawDb other(path);
    other.exec("BEGIN IMMEDIATE");  // another writer holds the lock
    committer.submit(series("m1", "kwh", 3));
    REQUIRE(logger.wait_for_line("will retry"));
    committer.submit(series("m1", "kwh", 2));
    GroupCommitStats s = committer.stats();
    CHECK(s.failures >= 1);
    CHECK(s.commits == 0);
    CHECK(s.pending == 5);
    CHECK(log.last_seq() == 0);

    other.exec("ROLLBACK");
    committer.flush();
    s = committer.stats();
    CHECK(s.readings == 5);
    CHECK(s.pending == 0);
    CHECK(log.reading_count() == 5);
    require_contiguous(commits.ranges(), 5);
    CHECK(logger.contains("commit succeeded after"));
}

TEST_CASE("group commit: shutdown gives up after shutdown_attempts and says so") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    ReadingLog log({path, SyncMode::full, 0ms});
    RecordingLogger logger;
    RawDb other(path);
    other.exec("BEGIN IMMEDIATE");
    {
        GroupCommitter committer(log, {.interval = 1h, .retry_delay = 1ms, .shutdown_attempts = 2}, logger);
        committer.submit(series("m1", "kwh", 3));
    }  // must return although the database stays locked
    other.exec("ROLLBACK");
    CHECK(logger.contains("giving up at shutdown: 3 readings"));
    CHECK(log.reading_count() == 0);
}
