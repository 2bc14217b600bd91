#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "gridgate/store/reading_log.hpp"
#include "test_support.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;

TEST_CASE("audit: events come back in order with their time, kind and detail") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    CHECK(log.read_audit(0, 10).empty());
    const auto a = log.append_audit("quota_dropped", R"({"first_seq":1,"last_seq":10,"count":10})", 1'000);
    const auto b = log.append_audit("store_recovered", R"({"moved_to":"x.corrupt-1"})", 2'000);
    const auto c = log.append_audit("quota_dropped", R"({"count":3})", 3'000);
    CHECK(a < b);
    CHECK(b < c);

    const auto all = log.read_audit(0, 10);
    REQUIRE(all.size() == 3);
    CHECK(all[0].id == a);
    CHECK(all[0].ts_us == 1'000);
    CHECK(all[0].kind == "quota_dropped");
    CHECK(nlohmann::json::parse(all[0].detail_json)["last_seq"] == 10);
    CHECK(all[1].kind == "store_recovered");
    CHECK(all[2].ts_us == 3'000);

    // Paging by id.
    const auto tail = log.read_audit(a, 1);
    REQUIRE(tail.size() == 1);
    CHECK(tail[0].id == b);
    CHECK(log.read_audit(c, 10).empty());

    const auto counts = log.audit_counts();
    CHECK(counts.size() == 2);
    CHECK(counts.at("quota_dropped") == 2);
    CHECK(counts.at("store_recovered") == 1);
}

TEST_CASE("audit: the two-argument append stamps the system time") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    const TimestampUs before = SystemClock().now_utc_us();
    log.append_audit("note", "{}");
    const TimestampUs after = SystemClock().now_utc_us();
    const auto all = log.read_audit(0, 1);
    REQUIRE(all.size() == 1);
    CHECK(all[0].ts_us >= before);
    CHECK(all[0].ts_us <= after);
}

TEST_CASE("audit: a detail that is not a JSON object is refused") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    CHECK_THROWS_AS(log.append_audit("bad", "not json", 1), StoreError);
    CHECK_THROWS_AS(log.append_audit("bad", "[1,2]", 1), StoreError);
    CHECK_THROWS_AS(log.append_audit("bad", R"("text")", 1), StoreError);
    CHECK(log.read_audit(0, 10).empty());
    // The writer is still usable afterwards.
    CHECK(log.append(series("m1", "kwh", 2)) == SeqRange{1, 2});
    CHECK(log.append_audit("good", R"({"a":[1,2]})", 1) > 0);
}

TEST_CASE("audit: events survive a restart") {
    TempDir dir;
    const std::string path = dir.file("gw.db");
    {
        ReadingLog log({path});
        log.append_audit("disk_full", R"({"duration_s":12})", 5);
    }
    ReadingLog log({path});
    const auto all = log.read_audit(0, 10);
    REQUIRE(all.size() == 1);
    CHECK(all[0].kind == "disk_full");
    CHECK(nlohmann::json::parse(all[0].detail_json)["duration_s"] == 12);
}

TEST_CASE("audit: the quota keeps only the newest max_audit_rows events") {
    TempDir dir;
    ReadingLog log({dir.file("gw.db")});
    for (int i = 0; i < 30; ++i) log.append_audit("note", "{\"i\":" + std::to_string(i) + "}", i);
    QuotaOptions quota;
    quota.max_age = std::chrono::hours(24 * 365 * 100);  // enabled, deletes no reading
    quota.max_audit_rows = 10;
    log.enforce_quota(quota, {}, 1'000'000);
    const auto all = log.read_audit(0, 100);
    REQUIRE(all.size() == 10);
    CHECK(nlohmann::json::parse(all.front().detail_json)["i"] == 20);
    CHECK(nlohmann::json::parse(all.back().detail_json)["i"] == 29);
}
