// The PQDIF puller's pure decisions: the settle rule, the FIFO warning rule, partials.
#include <catch2/catch.hpp>

#include "files_pull_plan.hpp"

using namespace gridgate;
using namespace gridgate::gateway;
using namespace std::chrono_literals;

namespace {

files::RemoteEntry entry(const std::string& name, std::uint64_t size, std::int64_t mtime) {
    return files::RemoteEntry{name, size, mtime, true};
}

std::vector<std::string> names(const std::vector<files::RemoteEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.name);
    return out;
}

}  // namespace

TEST_CASE("a file is ready once two listings settle apart show the same size and mtime", "[pull]") {
    SettleTracker tracker(5s);
    const SteadyTime t0{1h};
    auto r = tracker.observe({entry("a.pqd", 100, 10)}, t0);
    CHECK(r.ready.empty());
    CHECK(r.waiting);
    CHECK(r.next_ready == t0 + 5s);

    r = tracker.observe({entry("a.pqd", 100, 10)}, t0 + 4s);  // too soon
    CHECK(r.ready.empty());
    CHECK(r.waiting);

    r = tracker.observe({entry("a.pqd", 100, 10)}, t0 + 5s);
    CHECK(names(r.ready) == std::vector<std::string>{"a.pqd"});
    CHECK_FALSE(r.waiting);
}

TEST_CASE("a growing file restarts its settle time", "[pull]") {
    SettleTracker tracker(5s);
    const SteadyTime t0{1h};
    tracker.observe({entry("a.pqd", 100, 10)}, t0);
    auto r = tracker.observe({entry("a.pqd", 200, 10)}, t0 + 6s);  // grew
    CHECK(r.ready.empty());
    CHECK(r.next_ready == t0 + 11s);
    r = tracker.observe({entry("a.pqd", 200, 11)}, t0 + 12s);  // mtime moved
    CHECK(r.ready.empty());
    r = tracker.observe({entry("a.pqd", 200, 11)}, t0 + 17s);
    CHECK(r.ready.size() == 1);
}

TEST_CASE("ready files come oldest first - forgotten and vanished files start over", "[pull]") {
    SettleTracker tracker(1s);
    const SteadyTime t0{1h};
    const std::vector<files::RemoteEntry> listing = {entry("c.pqd", 1, 30), entry("a.pqd", 1, 20),
                                                     entry("b.pqd", 1, 20)};
    tracker.observe(listing, t0);
    auto r = tracker.observe(listing, t0 + 1s);
    CHECK(names(r.ready) == std::vector<std::string>{"a.pqd", "b.pqd", "c.pqd"});

    tracker.forget("a.pqd");
    tracker.observe({entry("b.pqd", 1, 20)}, t0 + 2s);  // c vanished
    r = tracker.observe(listing, t0 + 3s);
    CHECK(names(r.ready) == std::vector<std::string>{"b.pqd"});
}

TEST_CASE("the FIFO warning needs a capacity, the fill and a file at risk", "[pull][fifo]") {
    // No capacity: never.
    CHECK_FALSE(assess_fifo(10, 1000, 10, 1000, 0, 0.8, false).warn);
    // 80 of 100 bytes with an untaken file: warn.
    auto f = assess_fifo(4, 80, 1, 20, 100, 0.8, false);
    CHECK(f.warn);
    CHECK(f.fill == Approx(0.8));
    CHECK(f.untaken_files == 1);
    // Full but everything taken: the FIFO may overwrite only copies the gateway has.
    CHECK_FALSE(assess_fifo(4, 95, 0, 0, 100, 0.8, false).warn);
    // ... unless the operator relies on delete_after_forward to make room.
    CHECK(assess_fifo(4, 95, 0, 0, 100, 0.8, true).warn);
    // Under the level: no warning.
    CHECK_FALSE(assess_fifo(4, 79, 4, 79, 100, 0.8, true).warn);
}

TEST_CASE("partial names carry the remote version - remote paths join once", "[pull]") {
    CHECK(partial_file_name(entry("a.pqd", 1234, 1454408745)) == "a.pqd.1234-1454408745.part");
    CHECK(remote_join(".", "a.pqd") == "a.pqd");
    CHECK(remote_join("", "a.pqd") == "a.pqd");
    CHECK(remote_join("/pq", "a.pqd") == "/pq/a.pqd");
    CHECK(remote_join("/pq/", "a.pqd") == "/pq/a.pqd");
}
