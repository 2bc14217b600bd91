// Disk full and failing fsync, through the fault-injection VFS (store/faults): the store
// stays consistent, the committer keeps the readings, says so once, and recovers.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "gridgate/store/fault_vfs.hpp"
#include "gridgate/store/group_committer.hpp"
#include "test_support.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;
using namespace std::chrono_literals;

namespace {

ReadingLogOptions shimmed(const std::string& path, SyncMode sync = SyncMode::full) {
    ReadingLogOptions o{path, sync};
    o.vfs = faults::vfs_name();
    return o;
}

// Every seq from first to last held once, in order.
void require_seqs(ReadingLog& log, std::uint64_t first, std::uint64_t last) {
    const auto all = log.read_after(first - 1, static_cast<std::size_t>(last - first + 10));
    REQUIRE(all.size() == last - first + 1);
    std::size_t out_of_place = 0;
    for (std::size_t i = 0; i < all.size(); ++i) out_of_place += all[i].seq == first + i ? 0 : 1;
    REQUIRE(out_of_place == 0);
}

StoreErrorKind append_error(ReadingLog& log, const std::vector<Reading>& readings) {
    try {
        log.append(readings);
    } catch (const StoreError& e) {
        return e.kind();
    }
    FAIL("the append succeeded");
    return StoreErrorKind::other;
}

}  // namespace

TEST_CASE("disk full: a refused append rolls back and the store stays consistent") {
    faults::FaultScope faults;
    TempDir dir;
    const std::string path = dir.file("gw.db");
    ReadingLog log(shimmed(path));
    log.append(series("m1", "kwh", 100));
    log.advance_cursor("mqtt", 40);

    faults::set_fail_writes(true);
    CHECK(append_error(log, series("m1", "kwh", 50)) == StoreErrorKind::disk_full);
    CHECK(append_error(log, series("m2", "kwh", 50)) == StoreErrorKind::disk_full);  // a new point too
    CHECK(faults::counters().writes_refused >= 2);
    CHECK(log.last_seq() == 100);
    CHECK(log.reading_count() == 100);
    CHECK(log.backlog("mqtt").readings == 60);
    require_seqs(log, 1, 100);

    faults::set_fail_writes(false);
    CHECK(log.append(series("m2", "kwh", 5)) == SeqRange{101, 105});
    CHECK(log.read_after(100, 10).front().reading.meter == "m2");
    require_seqs(log, 1, 105);
}

TEST_CASE("disk full: the space limit refuses growth like ENOSPC, and writing resumes when room returns") {
    faults::FaultScope faults;
    TempDir dir;
    const std::string path = dir.file("gw.db");
    ReadingLog log(shimmed(path));
    log.append(series("m1", "kwh", 10));
    const std::uint64_t limit = faults::tracked_bytes() + 64 * 1024;
    faults::set_space_limit(limit);
    std::uint64_t committed = 10;
    StoreErrorKind kind = StoreErrorKind::other;
    for (int i = 0; i < 1000; ++i) {
        try {
            committed = log.append(series("m" + std::to_string(i % 50), "kwh", 200)).last;
        } catch (const StoreError& e) {
            kind = e.kind();
            break;
        }
    }
    CHECK(kind == StoreErrorKind::disk_full);
    CHECK(faults::tracked_bytes() <= limit);
    CHECK(log.last_seq() == committed);
    require_seqs(log, 1, committed);

    faults::set_space_limit(0);
    CHECK(log.append(series("m1", "kwh", 3)).first == committed + 1);
    require_seqs(log, 1, committed + 3);
}

TEST_CASE("disk full: a failing fsync fails the commit as an I/O error, nothing half-committed") {
    faults::FaultScope faults;
    TempDir dir;
    const std::string path = dir.file("gw.db");
    {
        ReadingLog log(shimmed(path));
        log.append(series("m1", "kwh", 10));
        faults::set_fail_syncs(true);
        CHECK(append_error(log, series("m1", "kwh", 10)) == StoreErrorKind::io);
        CHECK(log.last_seq() == 10);
        faults::set_fail_syncs(false);
        CHECK(log.append(series("m1", "kwh", 1)) == SeqRange{11, 11});
    }
    ReadingLog log({path});
    require_seqs(log, 1, 11);
}

TEST_CASE("disk full: the committer holds the readings, logs once, and commits them all when room returns") {
    faults::FaultScope faults;
    TempDir dir;
    const std::string path = dir.file("gw.db");
    ReadingLog log(shimmed(path));
    RecordingLogger logger;
    GroupCommitOptions options;
    options.interval = 1ms;
    options.max_batch = 100;
    options.retry_delay = 1ms;
    options.max_retry_delay = 4ms;
    options.quota.max_bytes = 1ULL << 30;  // on, but far away
    options.sinks = {"mqtt"};
    GroupCommitter committer(log, options, logger);

    faults::set_fail_writes(true);
    for (int i = 0; i < 5; ++i) committer.submit(series("m" + std::to_string(i), "kwh", 30));
    REQUIRE(logger.wait_for_line("disk refuses writes"));
    REQUIRE(logger.wait_for_line("commit attempt 6 failed"));  // retrying, quietly
    GroupCommitStats s = committer.stats();
    CHECK(s.disk_full);
    CHECK(s.disk_full_episodes == 1);
    CHECK(s.failures >= 6);
    CHECK(s.pending == 150);
    CHECK(s.commits == 0);
    CHECK(s.quota_runs >= 1);  // run at once after the disk refused
    CHECK(logger.count("disk refuses writes") == 1);
    CHECK(log.last_seq() == 0);

    faults::set_fail_writes(false);
    REQUIRE(committer.flush_for(must_happen_within));
    s = committer.stats();
    CHECK_FALSE(s.disk_full);
    CHECK(s.pending == 0);
    CHECK(s.readings == 150);
    CHECK(s.dropped_pending == 0);
    require_seqs(log, 1, 150);
    CHECK(logger.contains("the disk accepts writes again"));
    const auto audit = log.read_audit(0, 10);
    REQUIRE(audit.size() == 1);
    CHECK(audit[0].kind == "disk_full");
    CHECK(nlohmann::json::parse(audit[0].detail_json)["failed_commits"] >= 6);
}

TEST_CASE("disk full: beyond max_pending_readings the oldest pending readings are dropped, counted and audited") {
    faults::FaultScope faults;
    TempDir dir;
    ReadingLog log(shimmed(dir.file("gw.db")));
    RecordingLogger logger;
    GroupCommitOptions options;
    options.interval = 1ms;
    options.max_batch = 10;
    options.retry_delay = 1ms;
    options.max_retry_delay = 2ms;
    options.max_pending_readings = 100;
    GroupCommitter committer(log, options, logger);

    faults::set_fail_writes(true);
    TimestampUs ts = 1'795'000'000'000'000;
    for (int b = 0; b < 30; ++b) {
        std::vector<Reading> batch;
        for (int i = 0; i < 10; ++i) {
            ++ts;
            batch.push_back(make_reading("m1", "kwh", ts, static_cast<double>(ts % 1000)));
        }
        committer.submit(std::move(batch));
    }
    GroupCommitStats s = committer.stats();
    CHECK(s.pending <= 100);
    CHECK(s.dropped_pending >= 200);
    CHECK(logger.count("dropping the oldest pending readings") == 1);
    // Nothing to audit into while the disk refuses writes.
    CHECK(log.read_audit(0, 10).empty());

    faults::set_fail_writes(false);
    REQUIRE(committer.flush_for(must_happen_within));
    s = committer.stats();
    CHECK(s.readings + s.dropped_pending == 300);
    CHECK(s.readings == 100);
    require_seqs(log, 1, 100);
    // What was kept is in order and includes the newest reading.
    const auto kept = log.read_after(0, 200);
    for (std::size_t i = 1; i < kept.size(); ++i) CHECK(kept[i].reading.ts_us > kept[i - 1].reading.ts_us);
    CHECK(kept.back().reading.ts_us == ts);
    // Written with the first commit that worked, before flush() returned.
    std::vector<AuditEvent> dropped;
    for (auto& e : log.read_audit(0, 10))
        if (e.kind == "pending_dropped") dropped.push_back(e);
    REQUIRE(dropped.size() == 1);
    CHECK(nlohmann::json::parse(dropped[0].detail_json)["count"] == s.dropped_pending);
    CHECK(logger.contains("readings were dropped from memory"));
}

TEST_CASE("small filesystem: with a quota below the disk the store never fills it and loses only what the quota drops") {
    faults::FaultScope faults;
    TempDir dir;
    const std::string path = dir.file("gw.db");
    ReadingLog log(shimmed(path, SyncMode::normal));
    // A 12 MB filesystem (the WAL checkpoints at about 4 MB) and a 2 MB quota; the uplink is
    // down, so nothing is ever acknowledged and the quota must drop the oldest.
    faults::set_space_limit(faults::tracked_bytes() + 12 * 1024 * 1024);
    RecordingLogger logger;
    GroupCommitOptions options;
    options.interval = 1ms;
    options.max_batch = 5'000;
    options.retry_delay = 1ms;
    options.max_retry_delay = 5ms;
    options.sinks = {"mqtt"};
    options.quota.max_bytes = 2 * 1024 * 1024;
    options.quota.delete_batch = 5'000;
    options.quota_check_interval = 1ms;
    GroupCommitter committer(log, options, logger);
    constexpr std::uint64_t total = 200'000;  // about 5 MB of readings
    for (std::uint64_t i = 0; i < total / 5'000; ++i) {
        committer.submit(series("m" + std::to_string(i % 30), "kwh", 5'000));
        REQUIRE(committer.flush_for(must_happen_within));
    }
    const GroupCommitStats s = committer.stats();
    CHECK(s.readings == total);
    CHECK(s.disk_full_episodes == 0);
    CHECK(s.dropped_pending == 0);
    CHECK(faults::counters().writes_refused == 0);

    // Everything not dropped by the quota is there, contiguous up to the newest.
    const QuotaReport q = log.quota_state();
    CHECK(q.used_bytes <= options.quota.max_bytes * 11 / 10);
    CHECK(q.dropped_unacked > 0);
    CHECK(q.first_seq == q.dropped_unacked + 1);
    CHECK(log.reading_count() == total - q.dropped_unacked);
    require_seqs(log, q.first_seq, total);
    // And every dropped reading is in the audit log.
    std::uint64_t audited = 0;
    std::uint64_t next_first = 1;
    for (const auto& e : log.read_audit(0, 100'000)) {
        if (e.kind != "quota_dropped") continue;
        const auto d = nlohmann::json::parse(e.detail_json);
        CHECK(d["first_seq"] == next_first);
        next_first = d["last_seq"].get<std::uint64_t>() + 1;
        audited += d["count"].get<std::uint64_t>();
    }
    CHECK(audited == q.dropped_unacked);
    CHECK(logger.contains("audited as quota_dropped"));
}
