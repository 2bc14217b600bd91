// The spool quota's side of the index: eviction order, the record of each eviction, the
// counters, and what is still owed to the sinks.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "file_index_support.hpp"

using namespace gridgate;
using namespace gridgate::store;
using namespace gridgate::store::test;

using nlohmann::json;

namespace {

std::vector<std::uint64_t> ids_of(const std::vector<FileRecord>& records) {
    std::vector<std::uint64_t> out;
    for (const auto& r : records) out.push_back(r.id);
    return out;
}

}  // namespace

TEST_CASE("spool quota: candidates are the files every sink delivered, then the rest, oldest first") {
    TempDir dir;
    Store store(dir);
    const std::vector<std::string> sinks{"sftp.a", "sftp.b"};
    for (int i = 1; i <= 6; ++i) store.index->add(make_file("m1", "f" + std::to_string(i) + ".pqd"));
    for (std::uint64_t id : {2, 5}) {
        store.index->mark_delivered("sftp.a", id, "/r", "{}");
        store.index->mark_delivered("sftp.b", id, "/r", "{}");
    }
    store.index->mark_delivered("sftp.a", 1, "/r", "{}");  // one sink only: not delivered

    CHECK(ids_of(store.index->eviction_candidates(sinks, 10)) == std::vector<std::uint64_t>{2, 5, 1, 3, 4, 6});
    CHECK(ids_of(store.index->eviction_candidates(sinks, 3)) == std::vector<std::uint64_t>{2, 5, 1});
    CHECK(store.index->eviction_candidates(sinks, 0).empty());
    // With no sinks nothing counts as delivered: plain id order.
    CHECK(ids_of(store.index->eviction_candidates(std::vector<std::string>{}, 10)) ==
          std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6});

    store.index->mark_evicted(2, sinks, 10);
    store.index->mark_evicted(3, sinks, 11);
    CHECK(ids_of(store.index->eviction_candidates(sinks, 10)) == std::vector<std::uint64_t>{5, 1, 4, 6});
}

TEST_CASE("spool quota: mark_evicted counts, audits and is done once") {
    TempDir dir;
    Store store(dir);
    const std::vector<std::string> sinks{"sftp.head"};
    store.index->add(make_file("m1", "a.pqd", 100));
    store.index->add(make_file("m1", "b.pqd", 200));
    store.index->add(make_file("m2", "c.pqd", 400));
    store.index->mark_delivered("sftp.head", 1, "/r", "{}");

    SpoolCounters c = store.index->counters();
    CHECK(c.files_added == 3);
    CHECK(c.held_files == 3);
    CHECK(c.held_bytes == 700);
    CHECK(c.evicted_delivered == 0);
    CHECK(c.evicted_undelivered == 0);

    store.index->mark_evicted(1, sinks, 1'795'300'000'000'000);
    store.index->mark_evicted(2, sinks, 1'795'300'000'000'001);
    store.index->mark_evicted(2, sinks, 1'795'300'000'000'002);  // a retry: nothing more

    c = store.index->counters();
    CHECK(c.files_added == 3);
    CHECK(c.held_files == 1);
    CHECK(c.held_bytes == 400);
    CHECK(c.evicted_delivered == 1);
    CHECK(c.evicted_undelivered == 1);
    CHECK(store.index->get(2)->evicted_us == 1'795'300'000'000'001);

    const auto events = store.events_of("spool_evicted");
    REQUIRE(events.size() == 2);
    CHECK(events[0].ts_us == 1'795'300'000'000'000);
    CHECK(json::parse(events[0].detail_json) == json{{"file_id", 1},
                                                     {"meter", "m1"},
                                                     {"name", "a.pqd"},
                                                     {"size", 100},
                                                     {"sha256", std::string(64, 'a')},
                                                     {"delivered", true}});
    CHECK(json::parse(events[1].detail_json)["delivered"] == false);
    CHECK(json::parse(events[1].detail_json)["name"] == "b.pqd");

    // An evicted file is no longer offered to the sinks.
    const auto next = store.index->next_undelivered("sftp.head", 0);
    REQUIRE(next);
    CHECK(next->id == 3);
    CHECK_THROWS_AS(store.index->mark_evicted(99, sinks, 1), StoreError);
}

TEST_CASE("spool quota: undelivered_count counts held files some sink still owes") {
    TempDir dir;
    Store store(dir);
    const std::vector<std::string> sinks{"sftp.a", "sftp.b"};
    for (int i = 1; i <= 4; ++i) store.index->add(make_file("m1", "f" + std::to_string(i) + ".pqd"));
    CHECK(store.index->undelivered_count(sinks) == 4);
    store.index->mark_delivered("sftp.a", 1, "/r", "{}");
    CHECK(store.index->undelivered_count(sinks) == 4);
    CHECK(store.index->undelivered_count(std::vector<std::string>{"sftp.a"}) == 3);
    store.index->mark_delivered("sftp.b", 1, "/r", "{}");
    CHECK(store.index->undelivered_count(sinks) == 3);
    store.index->mark_evicted(2, sinks, 1);  // lost northbound, but no longer owed
    CHECK(store.index->undelivered_count(sinks) == 2);
    CHECK(store.index->undelivered_count(std::vector<std::string>{}) == 3);  // held files, none delivered
}
