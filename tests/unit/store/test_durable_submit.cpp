// GroupCommitter::submit_durable: the callback a DNP3 master waits for before it confirms
// events to the meter. done(true) only once the readings are committed and synced, at
// once rather than after the group interval; done(false) when they are dropped or the
// committer stops without them.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gridgate/store/fault_vfs.hpp"
#include "gridgate/store/group_committer.hpp"
#include "test_support.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;
using namespace std::chrono_literals;

namespace {

// Longer than any test: a commit that happens was not waiting for the interval.
constexpr auto never = std::chrono::hours(1);

ReadingLogOptions shimmed(const std::string& path, SyncMode sync) {
    ReadingLogOptions o{path, sync};
    o.vfs = faults::vfs_name();
    return o;
}

// What each submit's done callback said, on which thread, and what a probe run inside
// the callback saw (for example the readings visible in the log at that moment).
class Outcomes {
public:
    struct Call {
        bool stored = false;
        std::thread::id thread;
        std::uint64_t probed = 0;
    };

    std::function<void(bool)> done(int id, std::function<std::uint64_t()> probe = {}) {
        return [this, id, probe = std::move(probe)](bool stored) {
            const std::uint64_t probed = probe ? probe() : 0;
            {
                std::lock_guard lock(mutex_);
                calls_[id].push_back(Call{stored, std::this_thread::get_id(), probed});
            }
            changed_.notify_all();
        };
    }
    bool wait_for(int id) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, must_happen_within, [&] { return !calls_[id].empty(); });
    }
    std::vector<Call> calls(int id) {
        std::lock_guard lock(mutex_);
        return calls_[id];
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<int, std::vector<Call>> calls_;
};

template <class Condition>
bool eventually(Condition condition) {
    const auto deadline = std::chrono::steady_clock::now() + must_happen_within;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

}  // namespace

TEST_CASE("durable submit: done(true) only after the commit, which does not wait for the interval") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::full});
    Outcomes outcomes;
    std::mutex order_mutex;
    std::vector<std::string> order;
    GroupCommitOptions options;
    options.interval = never;
    GroupCommitter committer(log, options, null_logger(), [&](SeqRange) {
        std::lock_guard lock(order_mutex);
        order.push_back("on_commit");
    });

    committer.submit(series("m1", "kwh", 3));  // would wait an hour on its own
    const auto visible = [&] {
        {
            std::lock_guard lock(order_mutex);
            order.push_back("done");
        }
        return static_cast<std::uint64_t>(log.read_after(0, 100).size());
    };
    committer.submit_durable(series("m1", "v", 5), outcomes.done(1, visible));
    committer.submit_durable(series("m2", "v", 4), outcomes.done(2, visible));

    REQUIRE(outcomes.wait_for(1));
    REQUIRE(outcomes.wait_for(2));
    for (const int id : {1, 2}) {
        const auto calls = outcomes.calls(id);
        REQUIRE(calls.size() == 1);
        CHECK(calls[0].stored);
        CHECK(calls[0].thread != std::this_thread::get_id());  // the committer's thread
        // The log's reader already sees them (and the plain batch queued before them).
        CHECK(calls[0].probed >= (id == 1 ? 8u : 12u));
    }
    CHECK(log.last_seq() == 12);
    {
        std::lock_guard lock(order_mutex);
        REQUIRE_FALSE(order.empty());
        CHECK(order.front() == "on_commit");  // the forwarder hears of it first
    }
    const auto stats = committer.stats();
    CHECK(stats.durable_commits >= 1);
    CHECK(stats.durable_commits == stats.commits);

    // An ordinary submit still waits for the interval.
    committer.submit(series("m3", "kwh", 2));
    CHECK(committer.stats().pending == 2);
    CHECK(committer.stats().commits == stats.commits);
    CHECK(log.last_seq() == 12);
}

TEST_CASE("durable submit: an empty batch is durable at once") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::full});
    GroupCommitter committer(log, {}, null_logger());
    Outcomes outcomes;
    committer.submit_durable({}, outcomes.done(1));
    const auto calls = outcomes.calls(1);  // no waiting: it was called before submit_durable returned
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].stored);
    CHECK(calls[0].thread == std::this_thread::get_id());
    CHECK(committer.stats().commits == 0);
}

TEST_CASE("durable submit: under SyncMode::normal its commit is fsynced, ordinary commits are not") {
    faults::FaultScope faults;
    TempDir dir;
    ReadingLog log(shimmed(dir.file("gw.db"), SyncMode::normal));
    // The first frames of a new WAL sync its header even under NORMAL: start after them.
    log.append(series("m0", "kwh", 1));
    GroupCommitOptions options;
    options.interval = never;
    GroupCommitter committer(log, options, null_logger());

    const auto syncs = [] { return faults::counters().syncs; };
    const std::uint64_t before_plain = syncs();
    committer.submit(series("m1", "kwh", 10));
    committer.flush();
    CHECK(log.last_seq() == 11);
    CHECK(syncs() == before_plain);  // NORMAL: no fsync at commit

    Outcomes outcomes;
    const std::uint64_t before_durable = syncs();
    committer.submit_durable(series("m1", "v", 5), outcomes.done(1, syncs));
    REQUIRE(outcomes.wait_for(1));
    const auto call = outcomes.calls(1).at(0);
    CHECK(call.stored);
    CHECK(call.probed > before_durable);  // the WAL was fsynced before done(true)

    // And the connection is back to NORMAL afterwards.
    const std::uint64_t after_durable = syncs();
    committer.submit(series("m1", "kwh", 10));
    committer.flush();
    CHECK(log.last_seq() == 26);
    CHECK(syncs() == after_durable);

    // The same through ReadingLog directly.
    const std::uint64_t before_synced = syncs();
    CHECK(log.append_synced(series("m2", "kwh", 3)) == SeqRange{27, 29});
    CHECK(syncs() > before_synced);
    const std::uint64_t before_append = syncs();
    log.append(series("m2", "kwh", 3));
    CHECK(syncs() == before_append);
}

TEST_CASE("durable submit: a batch the pending bound cuts into is done(false); the rest is still committed") {
    faults::FaultScope faults;
    TempDir dir;
    ReadingLog log(shimmed(dir.file("gw.db"), SyncMode::full));
    Outcomes outcomes;
    GroupCommitOptions options;
    options.interval = never;
    options.max_pending_readings = 10;
    options.retry_delay = 20s;  // the committer sits in its backoff while the test acts
    options.max_retry_delay = 20s;
    std::optional<GroupCommitter> committer;
    committer.emplace(log, options, null_logger());

    faults::set_fail_writes(true);
    committer->submit_durable(series("m1", "a", 5, 1'700'000'000'000'000), outcomes.done(1));
    REQUIRE(eventually([&] { return committer->stats().failures >= 1; }));  // and back in the queue
    CHECK(outcomes.calls(1).empty());

    // 13 pending > 10: the 3 oldest go, all of them from the durable batch.
    committer->submit(series("m1", "b", 8, 1'800'000'000'000'000));
    REQUIRE(outcomes.wait_for(1));  // answered at once, not after the 20 s backoff
    const auto call = outcomes.calls(1).at(0);
    CHECK_FALSE(call.stored);
    CHECK(call.thread != std::this_thread::get_id());
    CHECK(committer->stats().dropped_pending == 3);

    faults::set_fail_writes(false);
    committer.reset();  // commits what is left at shutdown
    const auto held = log.read_after(0, 100);
    REQUIRE(held.size() == 10);
    CHECK(held.front().reading.point == "a");  // a's last 2 readings, then b's 8
    CHECK(held.front().reading.ts_us == 1'700'000'000'000'000 + 3'000'000);
    CHECK(held[2].reading.point == "b");
    CHECK(log.audit_counts()[audit_kind::pending_dropped] == 1);
    CHECK(outcomes.calls(1).size() == 1);  // never answered twice
}

TEST_CASE("durable submit: a failed commit is retried and answered done(true) when it succeeds") {
    faults::FaultScope faults;
    TempDir dir;
    ReadingLog log(shimmed(dir.file("gw.db"), SyncMode::full));
    Outcomes outcomes;
    GroupCommitOptions options;
    options.interval = never;
    options.retry_delay = 20ms;
    options.max_retry_delay = 50ms;
    GroupCommitter committer(log, options, null_logger());

    faults::set_fail_syncs(true);  // the fsync fails: not durable, so not done
    committer.submit_durable(series("m1", "kwh", 4), outcomes.done(1, [&] { return log.last_seq(); }));
    REQUIRE(eventually([&] { return committer.stats().failures >= 2; }));
    CHECK(outcomes.calls(1).empty());
    CHECK(log.last_seq() == 0);

    faults::set_fail_syncs(false);
    REQUIRE(outcomes.wait_for(1));
    const auto call = outcomes.calls(1).at(0);
    CHECK(call.stored);
    CHECK(call.probed == 4);
}

TEST_CASE("durable submit: done(false) when the committer gives up at shutdown") {
    faults::FaultScope faults;
    TempDir dir;
    ReadingLog log(shimmed(dir.file("gw.db"), SyncMode::full));
    RecordingLogger logger;
    Outcomes outcomes;
    GroupCommitOptions options;
    options.interval = never;
    options.retry_delay = 10ms;
    options.shutdown_attempts = 2;
    {
        GroupCommitter committer(log, options, logger);
        faults::set_fail_writes(true);
        committer.submit_durable(series("m1", "kwh", 6), outcomes.done(1));
        committer.submit_durable(series("m2", "kwh", 2), outcomes.done(2));
        REQUIRE(eventually([&] { return committer.stats().failures >= 1; }));
        CHECK(outcomes.calls(1).empty());
    }  // the disk still refuses: the committer gives up
    for (const int id : {1, 2}) {
        const auto calls = outcomes.calls(id);
        REQUIRE(calls.size() == 1);
        CHECK_FALSE(calls[0].stored);
    }
    CHECK(logger.contains("giving up at shutdown"));
    faults::set_fail_writes(false);
    CHECK(log.last_seq() == 0);
}

TEST_CASE("durable submit: pending durable batches are committed, and answered, at shutdown") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    Outcomes outcomes;
    {
        GroupCommitOptions options;
        options.interval = never;
        GroupCommitter committer(log, options, null_logger());
        for (int id = 0; id < 20; ++id)
            committer.submit_durable(series("m" + std::to_string(id), "kwh", 3), outcomes.done(id));
    }
    for (int id = 0; id < 20; ++id) {
        const auto calls = outcomes.calls(id);
        REQUIRE(calls.size() == 1);
        CHECK(calls[0].stored);
    }
    CHECK(log.last_seq() == 60);
}
