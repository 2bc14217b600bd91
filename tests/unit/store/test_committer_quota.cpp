// The GroupCommitter's side of the quota: it runs enforce_quota on its own thread,
// reports through stats() and on_quota, and audits over-quota transitions.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>

#include "gridgate/store/group_committer.hpp"
#include "test_support.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;
using namespace std::chrono_literals;

namespace {

// Keeps the quota reports the committer hands to on_quota; lets a test wait for one.
class QuotaWatcher {
public:
    std::function<void(const QuotaReport&)> callback() {
        return [this](const QuotaReport& r) {
            {
                std::lock_guard lock(mutex_);
                reports_.push_back(r);
            }
            changed_.notify_all();
        };
    }
    template <class Pred>
    bool wait_for(Pred pred) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, must_happen_within, [&] {
            return std::any_of(reports_.begin() + static_cast<std::ptrdiff_t>(seen_), reports_.end(), pred);
        });
    }
    void mark_seen() {
        std::lock_guard lock(mutex_);
        seen_ = reports_.size();
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<QuotaReport> reports_;
    std::size_t seen_ = 0;
};

std::size_t audit_count(ReadingLog& log, const std::string& kind) {
    std::size_t n = 0;
    for (const auto& e : log.read_audit(0, 1000)) n += e.kind == kind ? 1 : 0;
    return n;
}

}  // namespace

TEST_CASE("committer quota: stop_low_priority over the quota is reported until the sink catches up") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    for (int i = 0; i < 20; ++i) log.append(series("m" + std::to_string(i), "kwh", 1'000));
    RecordingLogger logger;
    QuotaWatcher watcher;
    GroupCommitOptions options;
    options.interval = 1ms;
    options.sinks = {"mqtt"};
    options.quota.max_bytes = log.used_bytes() * 95 / 100;  // over, but below the 110 % hard limit
    options.quota.policy = QuotaPolicy::stop_low_priority;
    options.quota_check_interval = 1ms;
    options.on_quota = watcher.callback();
    GroupCommitter committer(log, options, logger);

    // The first run happens at start, without any commit.
    REQUIRE(watcher.wait_for([](const QuotaReport& r) { return r.over_quota; }));
    GroupCommitStats s = committer.stats();
    CHECK(s.quota.over_quota);
    CHECK(s.quota.dropped_unacked == 0);
    CHECK(s.quota_runs >= 1);
    CHECK(logger.contains("low-priority points stop"));
    CHECK(log.reading_count() == 20'000);

    // The uplink comes back and acknowledges everything: the next run prunes and clears it.
    log.advance_cursor("mqtt", log.last_seq());
    watcher.mark_seen();
    REQUIRE(watcher.wait_for([](const QuotaReport& r) { return !r.over_quota; }));
    s = committer.stats();
    CHECK(s.quota.pruned_acked > 0);
    CHECK(s.quota.used_bytes <= options.quota.max_bytes);
    CHECK(logger.contains("back within its quota"));
    committer.flush();
    // One audit event per transition, however many runs saw the same state.
    CHECK(audit_count(log, "quota_over") == 1);
    CHECK(audit_count(log, "quota_ok") == 1);
    CHECK(audit_count(log, "quota_dropped") == 0);
}

TEST_CASE("committer quota: drop_oldest drops and reports while commits go on") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    RecordingLogger logger;
    QuotaWatcher watcher;
    GroupCommitOptions options;
    options.interval = 1ms;
    options.max_batch = 1'000;
    options.sinks = {"mqtt"};
    options.quota.max_bytes = 256 * 1024;
    options.quota.delete_batch = 500;
    options.quota_batches_per_run = 2;  // slices: commits interleave with the deletes
    options.quota_check_interval = 1ms;
    options.on_quota = watcher.callback();
    GroupCommitter committer(log, options, logger);
    for (int i = 0; i < 40; ++i) {
        committer.submit(series("m" + std::to_string(i % 7), "kwh", 1'000));
        committer.flush();
    }
    REQUIRE(watcher.wait_for([](const QuotaReport& r) { return r.dropped_unacked > 0 && !r.incomplete; }));
    const GroupCommitStats s = committer.stats();
    CHECK(s.readings == 40'000);
    CHECK(s.quota.dropped_unacked > 0);
    CHECK(s.quota_failures == 0);
    CHECK(logger.contains("unacknowledged readings, seq 1.."));
    CHECK(log.first_seq() == log.quota_state().dropped_unacked + 1);
    CHECK(audit_count(log, "quota_dropped") >= 1);
}
