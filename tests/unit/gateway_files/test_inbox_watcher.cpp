// InboxWatcher on real folders with inotify: when a pushed file counts as complete, and
// that it ends up in the spool and out of the inbox.
#include <catch2/catch.hpp>

#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "gridgate/testing/wait.hpp"
#include "inbox_watcher.hpp"
#include "spool_env.hpp"

using namespace gridgate;
using namespace gridgate::gateway;
using gridgate::gateway::test::SpoolEnv;
using gridgate::testing::wait_until;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace gt = gridgate::gateway::test;

namespace {

// Long enough that a file taken within the test's wait was taken on its event, not by
// the periodic scan or the settle rule.
constexpr Duration long_settle = 30s;

struct InboxEnv {
    explicit InboxEnv(Duration settle) {
        inbox = env.dir.path() / "inbox" / "m1" / "incoming";
        watcher = std::make_unique<InboxWatcher>(std::vector<InboxTarget>{{"m1", inbox, settle}}, *env.spool, clock,
                                                 env.logger);
    }
    bool taken(const std::string& name) { return env.index->find("m1", name).has_value(); }
    bool taken_and_gone(const std::string& name) {
        return wait_until([&] { return taken(name) && !fs::exists(inbox / name); }, 10s);
    }
    nlohmann::json status() const { return nlohmann::json::parse(watcher->status_json())["inboxes"][0]; }

    SpoolEnv env;
    SystemClock clock;
    fs::path inbox;
    std::unique_ptr<InboxWatcher> watcher;
};

}  // namespace

TEST_CASE("a file renamed into the inbox is taken at once", "[inbox]") {
    InboxEnv t(long_settle);
    t.watcher->start();
    REQUIRE(fs::is_directory(t.inbox));  // created by start()
    const auto bytes = gt::pqdif_bytes(1);
    const std::string name = gt::pqdif_name(1);
    gt::write_file(t.inbox / ("." + name + ".upload"), bytes);
    fs::rename(t.inbox / ("." + name + ".upload"), t.inbox / name);

    REQUIRE(t.taken_and_gone(name));
    const auto row = t.env.index->find("m1", name);
    CHECK(row->source == "push_inbox");
    CHECK(row->sha256 == gt::sha_of(bytes));
    CHECK(row->well_formed);
    CHECK(files::sha256_file(t.env.spool->directory() / "m1" / name) == gt::sha_of(bytes));
    const auto status = t.status();
    CHECK(status["meter"] == "m1");
    CHECK(status["files_taken"] == 1);
    CHECK(status["malformed_taken"] == 0);
    CHECK(status["waiting"] == 0);
    CHECK(status["last_taken"].is_string());
}

TEST_CASE("a well-formed file written in place is taken when it is closed", "[inbox]") {
    InboxEnv t(long_settle);
    t.watcher->start();
    const auto bytes = gt::pqdif_bytes(2, 4000);
    const std::string name = gt::pqdif_name(2);
    // Written in two halves with a pause: the half-written file is not taken.
    std::FILE* f = std::fopen((t.inbox / name).c_str(), "wb");
    REQUIRE(f);
    std::fwrite(bytes.data(), 1, bytes.size() / 2, f);
    std::fflush(f);
    std::this_thread::sleep_for(100ms);
    CHECK_FALSE(t.taken(name));
    std::fwrite(bytes.data() + bytes.size() / 2, 1, bytes.size() - bytes.size() / 2, f);
    std::fclose(f);

    REQUIRE(t.taken_and_gone(name));
    CHECK(t.env.index->find("m1", name)->sha256 == gt::sha_of(bytes));
    CHECK(t.env.index->find("m1", name)->well_formed);
}

TEST_CASE("a truncated PQDIF closed in the inbox is taken only after settle, flagged malformed", "[inbox]") {
    const Duration settle = 600ms;
    InboxEnv t(settle);
    t.watcher->start();
    auto bytes = gt::pqdif_bytes(3, 2000);
    bytes.resize(bytes.size() * 2 / 3);  // a push cut mid-way
    const std::string name = gt::pqdif_name(3);
    const auto written = std::chrono::steady_clock::now();
    gt::write_file(t.inbox / name, bytes);

    REQUIRE(wait_until([&] { return t.status()["waiting"] == 1; }, 5s));
    CHECK_FALSE(t.taken(name));
    REQUIRE(t.taken_and_gone(name));
    CHECK(std::chrono::steady_clock::now() - written >= settle);
    const auto row = t.env.index->find("m1", name);
    CHECK_FALSE(row->well_formed);
    CHECK(row->size == bytes.size());
    const auto status = t.status();
    CHECK(status["malformed_taken"] == 1);
    CHECK(status["waiting"] == 0);
}

TEST_CASE("files already in the inbox at start are taken", "[inbox]") {
    InboxEnv t(long_settle);
    const auto a = gt::pqdif_bytes(4);
    const auto b = gt::pqdif_bytes(5);
    gt::write_file(t.inbox / gt::pqdif_name(4), a);
    gt::write_file(t.inbox / gt::pqdif_name(5), b);
    t.watcher->start();
    REQUIRE(t.taken_and_gone(gt::pqdif_name(4)));
    REQUIRE(t.taken_and_gone(gt::pqdif_name(5)));
    CHECK(t.env.index->find("m1", gt::pqdif_name(5))->sha256 == gt::sha_of(b));
    CHECK(t.status()["files_taken"] == 2);
}

TEST_CASE("dot files and .part/.tmp/.filepart names are in-progress uploads and stay", "[inbox]") {
    const Duration settle = 100ms;
    InboxEnv t(settle);
    const std::vector<std::string> ignored = {".hidden.pqd", "a.pqd.part", "b.pqd.tmp", "c.pqd.filepart"};
    for (const auto& n : ignored) gt::write_file(t.inbox / n, gt::pqdif_bytes(6));
    t.watcher->start();
    const std::string name = gt::pqdif_name(6);
    gt::write_file(t.inbox / name, gt::pqdif_bytes(7));
    REQUIRE(t.taken_and_gone(name));
    // Several scan periods later they are still there and not indexed.
    std::this_thread::sleep_for(settle * 4);
    for (const auto& n : ignored) {
        CHECK(fs::exists(t.inbox / n));
        CHECK_FALSE(t.taken(n));
    }
    CHECK(t.status()["waiting"] == 0);
    CHECK(t.env.index->list(0, 10).size() == 1);
}

TEST_CASE("a pushed file already spooled is dropped from the inbox as a duplicate", "[inbox]") {
    InboxEnv t(long_settle);
    const auto bytes = gt::pqdif_bytes(8);
    const std::string name = gt::pqdif_name(8);
    t.env.admit("m1", name, bytes, "push_inbox");  // as if a crash came before the inbox unlink
    gt::write_file(t.inbox / name, bytes);
    t.watcher->start();
    REQUIRE(wait_until([&] { return !fs::exists(t.inbox / name); }, 10s));
    CHECK(t.env.index->list(0, 10).size() == 1);
}

TEST_CASE("start throws when an inbox cannot be watched", "[inbox]") {
    SpoolEnv env;
    SystemClock clock;
    const auto file = env.dir.write("not-a-folder", "x");
    InboxWatcher watcher({{"m1", file, 1s}}, *env.spool, clock, env.logger);
    CHECK_THROWS_AS(watcher.start(), std::runtime_error);
}
