#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "gridgate/store/reading_log.hpp"
#include "test_support.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;
using namespace std::chrono_literals;

namespace {

constexpr TimestampUs t0 = 1'795'000'000'000'000;
const std::vector<std::string> mqtt_only{"mqtt"};

// n readings of 10 points, one second apart from t0 (seq i has ts t0 + (i-1) s), in
// transactions of 1,000.
void fill(ReadingLog& log, std::size_t n) {
    const std::uint64_t start = log.last_seq();
    std::vector<Reading> batch;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t seq = start + i + 1;
        batch.push_back(make_reading("m" + std::to_string(seq % 10), "p", t0 + static_cast<TimestampUs>(seq - 1) * 1'000'000,
                                     static_cast<double>(seq) * 0.001));
        if (batch.size() == 1000) {
            log.append(batch);
            batch.clear();
        }
    }
    if (!batch.empty()) log.append(batch);
}

QuotaOptions size_quota(std::uint64_t max_bytes, QuotaPolicy policy) {
    QuotaOptions q;
    q.max_bytes = max_bytes;
    q.policy = policy;
    q.delete_batch = 1'000;
    return q;
}

std::vector<AuditEvent> audit_of_kind(ReadingLog& log, const std::string& kind) {
    std::vector<AuditEvent> out;
    for (auto& e : log.read_audit(0, 1000))
        if (e.kind == kind) out.push_back(e);
    return out;
}

}  // namespace

TEST_CASE("quota: off deletes nothing") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    fill(log, 5'000);
    const QuotaReport r = log.enforce_quota(QuotaOptions{}, mqtt_only, t0);
    CHECK(r.pruned_acked_now == 0);
    CHECK(r.dropped_unacked_now == 0);
    CHECK(r.used_bytes == log.used_bytes());
    CHECK(r.first_seq == 1);
    CHECK(log.reading_count() == 5'000);
}

TEST_CASE("quota: under the limit nothing is deleted, acknowledged or not") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    fill(log, 5'000);
    log.advance_cursor("mqtt", 5'000);
    const QuotaReport r = log.enforce_quota(size_quota(log.used_bytes() + 1, QuotaPolicy::drop_oldest), mqtt_only, t0);
    CHECK(r.pruned_acked_now == 0);
    CHECK(r.over_quota == false);
    CHECK(log.reading_count() == 5'000);
}

TEST_CASE("quota: acknowledged readings go first, oldest first, down to the low-water mark") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    fill(log, 40'000);
    log.advance_cursor("mqtt", 30'000);
    log.advance_cursor("sftp", 35'000);
    const std::uint64_t used = log.used_bytes();
    const std::uint64_t max = used * 8 / 10;

    const QuotaReport r = log.enforce_quota(size_quota(max, QuotaPolicy::drop_oldest), std::vector<std::string>{"mqtt", "sftp"}, t0);
    CHECK(r.pruned_acked_now > 0);
    CHECK(r.dropped_unacked_now == 0);
    CHECK(r.used_bytes <= max * 9 / 10);
    CHECK(r.over_quota == false);
    CHECK(r.pruned_acked == r.pruned_acked_now);
    CHECK(r.first_seq == r.pruned_acked_now + 1);
    CHECK(r.first_seq <= 30'001);  // only what both sinks acknowledged
    CHECK(log.first_seq() == r.first_seq);
    CHECK(log.reading_count() == 40'000 - r.pruned_acked_now);
    // Pruning acknowledged data loses nothing: no drop event, backlogs unchanged.
    CHECK(audit_of_kind(log, "quota_dropped").empty());
    CHECK(log.backlog("mqtt").readings == 10'000);
    CHECK(log.backlog("sftp").readings == 5'000);
}

TEST_CASE("quota drop_oldest: drops the oldest unacknowledged readings, counted and audited") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    fill(log, 40'000);
    log.advance_cursor("mqtt", 5'000);
    const std::uint64_t max = log.used_bytes() / 2;

    const QuotaReport r = log.enforce_quota(size_quota(max, QuotaPolicy::drop_oldest), mqtt_only, t0);
    CHECK(r.pruned_acked_now == 5'000);  // every acknowledged reading first
    CHECK(r.dropped_unacked_now > 0);
    CHECK(r.dropped_first_seq == 5'001);
    CHECK(r.dropped_last_seq == 5'000 + r.dropped_unacked_now);
    CHECK(r.first_seq == r.dropped_last_seq + 1);
    CHECK(r.used_bytes <= max * 9 / 10);
    CHECK(r.over_quota == false);
    CHECK(r.dropped_unacked == r.dropped_unacked_now);

    const auto events = audit_of_kind(log, "quota_dropped");
    REQUIRE(events.size() == 1);
    const auto detail = nlohmann::json::parse(events[0].detail_json);
    CHECK(detail["first_seq"] == 5'001);
    CHECK(detail["last_seq"] == r.dropped_last_seq);
    CHECK(detail["count"] == r.dropped_unacked_now);
    CHECK(detail["reason"] == "size");
    CHECK(detail["policy"] == "drop_oldest");
    CHECK(detail["max_bytes"] == max);
}

TEST_CASE("quota: a sink behind the hole reads on from the oldest reading still held") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    fill(log, 20'000);
    log.advance_cursor("mqtt", 100);
    const QuotaReport r = log.enforce_quota(size_quota(log.used_bytes() / 2, QuotaPolicy::drop_oldest), mqtt_only, t0);
    REQUIRE(r.dropped_unacked_now > 0);
    const std::uint64_t first = r.first_seq;
    REQUIRE(first > 101);

    // The cursor stays where the sink left it; what it reads next starts after the hole.
    CHECK(log.cursor("mqtt") == 100);
    const auto next = log.read_after(log.cursor("mqtt"), 5);
    REQUIRE(next.size() == 5);
    CHECK(next[0].seq == first);
    CHECK(next[4].seq == first + 4);
    const BacklogInfo b = log.backlog("mqtt");
    CHECK(b.cursor == 100);
    CHECK(b.readings == 20'000 - first + 1);
    CHECK(b.last_seq == 20'000);
    CHECK(b.oldest_ts_us == t0 + static_cast<TimestampUs>(first - 1) * 1'000'000);
    // Acknowledging past the hole moves the cursor there; appends go on gapless.
    log.advance_cursor("mqtt", next[4].seq);
    CHECK(log.cursor("mqtt") == first + 4);
    CHECK(log.backlog("mqtt").readings == 20'000 - first - 4);
    CHECK(log.append(series("m1", "kwh", 1)) == SeqRange{20'001, 20'001});
    // A sink that has never acknowledged anything also starts at the oldest held.
    CHECK(log.read_after(0, 1).front().seq == first);
    CHECK(log.backlog("new-sink").readings == 20'001 - first + 1);
}

TEST_CASE("quota stop_low_priority: over the quota it reports, and drops only past the hard limit") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    fill(log, 30'000);
    const std::uint64_t used = log.used_bytes();

    SECTION("between the quota and the hard limit: over_quota, nothing dropped") {
        const QuotaReport r = log.enforce_quota(size_quota(used * 95 / 100, QuotaPolicy::stop_low_priority), mqtt_only, t0);
        CHECK(r.over_quota);
        CHECK(r.dropped_unacked_now == 0);
        CHECK(r.used_bytes == used);
        CHECK(log.reading_count() == 30'000);
        CHECK(audit_of_kind(log, "quota_dropped").empty());
    }
    SECTION("past the hard limit: the oldest go, down to the quota") {
        const std::uint64_t max = used * 80 / 100;  // used is 125 % of it, above 110 %
        const QuotaReport r = log.enforce_quota(size_quota(max, QuotaPolicy::stop_low_priority), mqtt_only, t0);
        CHECK(r.dropped_unacked_now > 0);
        CHECK(r.dropped_first_seq == 1);
        CHECK(r.used_bytes <= max);
        CHECK(r.used_bytes > max * 9 / 10);  // only down to the quota, not the low-water mark
        CHECK(r.over_quota == false);
        const auto events = audit_of_kind(log, "quota_dropped");
        REQUIRE(events.size() == 1);
        CHECK(nlohmann::json::parse(events[0].detail_json)["policy"] == "stop_low_priority");
    }
    SECTION("acknowledged readings still make room first") {
        log.advance_cursor("mqtt", 30'000);
        const QuotaReport r = log.enforce_quota(size_quota(used * 95 / 100, QuotaPolicy::stop_low_priority), mqtt_only, t0);
        CHECK(r.over_quota == false);
        CHECK(r.pruned_acked_now > 0);
        CHECK(r.dropped_unacked_now == 0);
    }
}

TEST_CASE("quota max_age: acknowledged old readings go; unacknowledged ones only under drop_oldest") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    fill(log, 10'000);  // seq i at t0 + (i-1) s
    log.advance_cursor("mqtt", 2'000);
    QuotaOptions q;
    q.max_age = 5'000s;
    q.delete_batch = 700;
    const TimestampUs now = t0 + 10'000 * 1'000'000LL;  // older than max_age: seq 1..5000

    SECTION("stop_low_priority keeps unacknowledged readings however old") {
        q.policy = QuotaPolicy::stop_low_priority;
        const QuotaReport r = log.enforce_quota(q, mqtt_only, now);
        CHECK(r.pruned_acked_now == 2'000);
        CHECK(r.dropped_unacked_now == 0);
        CHECK(r.first_seq == 2'001);
    }
    SECTION("drop_oldest drops them too, audited with reason age") {
        q.policy = QuotaPolicy::drop_oldest;
        const QuotaReport r = log.enforce_quota(q, mqtt_only, now);
        CHECK(r.pruned_acked_now == 2'000);
        CHECK(r.dropped_unacked_now == 3'000);
        CHECK(r.dropped_first_seq == 2'001);
        CHECK(r.dropped_last_seq == 5'000);
        CHECK(r.first_seq == 5'001);
        const auto events = audit_of_kind(log, "quota_dropped");
        REQUIRE(events.size() == 1);
        CHECK(nlohmann::json::parse(events[0].detail_json)["reason"] == "age");
        CHECK(nlohmann::json::parse(events[0].detail_json)["max_age_s"] == 5'000);
        // Run again at the same time: nothing more is that old.
        const QuotaReport again = log.enforce_quota(q, mqtt_only, now);
        CHECK(again.dropped_unacked_now == 0);
        CHECK(again.dropped_unacked == 3'000);
    }
}

TEST_CASE("quota max_age: a reading stamped in the future does not hold pruning back") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    fill(log, 100);
    log.append({make_reading("wrong-clock", "p", t0 + 100LL * 365 * 24 * 3600 * 1'000'000, 1.0)});  // seq 101
    fill(log, 899);  // seq 102..1000, ts continuing from seq
    log.advance_cursor("mqtt", 1'000);
    QuotaOptions q;
    q.max_age = 500s;
    const QuotaReport r = log.enforce_quota(q, mqtt_only, t0 + 1'000 * 1'000'000LL);
    CHECK(r.pruned_acked_now == 500);
    CHECK(r.first_seq == 501);
}

TEST_CASE("quota: with no sinks nothing counts as acknowledged") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    fill(log, 10'000);
    log.advance_cursor("mqtt", 10'000);
    const QuotaReport r =
        log.enforce_quota(size_quota(log.used_bytes() * 95 / 100, QuotaPolicy::stop_low_priority), {}, t0);
    CHECK(r.pruned_acked_now == 0);
    CHECK(r.over_quota);
}

TEST_CASE("quota: a run can be cut into slices of max_batches_per_run transactions") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    fill(log, 20'000);
    log.advance_cursor("mqtt", 20'000);
    QuotaOptions q = size_quota(log.used_bytes() / 4, QuotaPolicy::drop_oldest);
    q.max_batches_per_run = 2;
    QuotaReport r = log.enforce_quota(q, mqtt_only, t0);
    CHECK(r.incomplete);
    CHECK(r.pruned_acked_now == 2'000);
    int runs = 1;
    while (r.incomplete && runs < 100) {
        r = log.enforce_quota(q, mqtt_only, t0);
        ++runs;
    }
    CHECK_FALSE(r.incomplete);
    CHECK(runs > 2);
    CHECK(r.used_bytes <= q.max_bytes * 9 / 10);
    CHECK(r.pruned_acked == 20'000 - log.reading_count());
}

TEST_CASE("quota: the counters are kept in the file across restarts") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    QuotaReport first;
    {
        ReadingLog log({path, SyncMode::normal});
        fill(log, 20'000);
        log.advance_cursor("mqtt", 3'000);
        first = log.enforce_quota(size_quota(log.used_bytes() / 2, QuotaPolicy::drop_oldest), mqtt_only, t0);
        REQUIRE(first.dropped_unacked > 0);
    }
    ReadingLog log({path});
    const QuotaReport state = log.quota_state();
    CHECK(state.pruned_acked == 3'000);
    CHECK(state.dropped_unacked == first.dropped_unacked);
    CHECK(state.first_seq == first.first_seq);
    CHECK(log.last_seq() == 20'000);  // seq is never reused after deletes
    CHECK(log.append(series("m1", "kwh", 1)).first == 20'001);
}

TEST_CASE("quota: freed pages are reused, so the file stops growing") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    ReadingLog log({path, SyncMode::normal});
    fill(log, 20'000);
    const QuotaOptions q = size_quota(log.used_bytes(), QuotaPolicy::drop_oldest);
    RawDb raw(path);
    for (int round = 0; round < 10; ++round) {
        fill(log, 5'000);
        log.advance_cursor("mqtt", log.last_seq());
        const QuotaReport r = log.enforce_quota(q, mqtt_only, t0);
        CHECK(r.used_bytes <= q.max_bytes);
        CHECK(r.dropped_unacked_now == 0);
        // All pages, free ones included: at most the quota plus one round of appends.
        const auto file_bytes = static_cast<std::uint64_t>(raw.query_int("PRAGMA page_count")) * 4096;
        CHECK(file_bytes <= q.max_bytes + 5'000 * 40);
    }
    CHECK(log.last_seq() == 70'000);
}

TEST_CASE("quota drop_oldest: a quota smaller than the data drops all of it, and says exactly what") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db"), SyncMode::normal});
    fill(log, 3'000);
    QuotaOptions q = size_quota(4096, QuotaPolicy::drop_oldest);
    q.delete_batch = 100'000;  // one transaction larger than what is held
    const QuotaReport r = log.enforce_quota(q, mqtt_only, t0);
    CHECK(r.dropped_unacked_now == 3'000);
    CHECK(r.dropped_first_seq == 1);
    CHECK(r.dropped_last_seq == 3'000);
    CHECK(r.first_seq == 0);
    CHECK(log.reading_count() == 0);
    CHECK(log.read_after(0, 10).empty());
    CHECK(log.backlog("mqtt").readings == 0);
    CHECK(log.backlog("mqtt").last_seq == 3'000);
    CHECK(log.append(series("m1", "kwh", 2)) == SeqRange{3'001, 3'002});
    CHECK(log.backlog("mqtt").readings == 2);
}
