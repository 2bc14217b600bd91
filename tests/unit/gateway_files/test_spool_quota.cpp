// FileSpool's quota under both policies. Every file here has the same size S (the same
// PQDIF bytes under different names), so quotas are written in units of S.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "spool_env.hpp"

using namespace gridgate;
using namespace gridgate::gateway;
using gridgate::gateway::test::SpoolEnv;
namespace fs = std::filesystem;
namespace gt = gridgate::gateway::test;

namespace {

const std::vector<std::byte>& same_bytes() {
    static const auto bytes = gt::pqdif_bytes(42);
    return bytes;
}

SpoolConfig quota_config(double files, const std::string& policy) {
    SpoolConfig config;
    config.quota_bytes = static_cast<std::uint64_t>(files * static_cast<double>(same_bytes().size()));
    config.quota_policy = policy;
    return config;
}

std::uint64_t add(SpoolEnv& env, int i) { return env.admit("m1", gt::pqdif_name(i), same_bytes()).add.id; }

bool spooled(SpoolEnv& env, int i) { return fs::exists(env.spool->directory() / "m1" / gt::pqdif_name(i)); }

bool evicted(SpoolEnv& env, int i) { return env.index->find("m1", gt::pqdif_name(i))->evicted; }

}  // namespace

TEST_CASE("drop_oldest evicts delivered files first, then the oldest, down to 90 %", "[spool][quota]") {
    SpoolEnv env(quota_config(3.5, "drop_oldest"), {"sftp.head"});
    add(env, 1);
    const auto id2 = add(env, 2);
    add(env, 3);
    env.index->mark_delivered("sftp.head", id2, "/r/2", "{}");
    CHECK(env.index->counters().held_files == 3);

    // 4 S > 3.5 S: one eviction brings it to 3 S <= 3.15 S. The delivered file goes,
    // although file 1 is older.
    add(env, 4);
    CHECK(evicted(env, 2));
    CHECK_FALSE(spooled(env, 2));
    CHECK_FALSE(evicted(env, 1));
    CHECK(spooled(env, 1));
    auto counters = env.index->counters();
    CHECK(counters.held_files == 3);
    CHECK(counters.evicted_delivered == 1);
    CHECK(counters.evicted_undelivered == 0);

    // Nothing delivered is left: the oldest goes, counted as lost northbound and logged.
    add(env, 5);
    CHECK(evicted(env, 1));
    CHECK_FALSE(spooled(env, 1));
    CHECK(spooled(env, 3));
    counters = env.index->counters();
    CHECK(counters.evicted_undelivered == 1);
    CHECK(env.logger.count("before every file sink delivered it") == 1);
    CHECK_FALSE(env.spool->intake_stopped());  // drop_oldest never stops intake

    // Each eviction is audited.
    std::size_t audited = 0;
    for (const auto& e : env.log->read_events_after(0, 100)) audited += e.kind == "spool_evicted";
    CHECK(audited == 2);

    const auto status = nlohmann::json::parse(env.spool->status_json(10));
    CHECK(status["evicted_delivered"] == 1);
    CHECK(status["evicted_undelivered"] == 1);
    CHECK(status["files"][4]["state"] == "evicted");  // file 1, the oldest
}

TEST_CASE("drop_oldest with one big file evicts several small ones down to 90 %", "[spool][quota]") {
    SpoolEnv env(quota_config(4.5, "drop_oldest"));
    for (int i = 1; i <= 4; ++i) add(env, i);
    std::vector<std::byte> big = gt::pqdif_bytes(7, 64);
    big.resize(same_bytes().size() * 2, std::byte{0});  // 2 S, not well formed: still spooled
    env.admit("m1", "big.pqd", big);
    // 6 S > 4.5 S; down to <= 4.05 S: files 1 and 2 go.
    CHECK(evicted(env, 1));
    CHECK(evicted(env, 2));
    CHECK_FALSE(evicted(env, 3));
    CHECK(env.index->counters().held_bytes == 4 * same_bytes().size());
}

TEST_CASE("stop_intake stops intake over the quota and evicts only delivered files", "[spool][quota]") {
    SpoolEnv env(quota_config(2.5, "stop_intake"), {"sftp.head"});
    const auto id1 = add(env, 1);
    add(env, 2);
    CHECK_FALSE(env.spool->intake_stopped());
    add(env, 3);  // 3 S > 2.5 S, nothing delivered: nothing may go
    CHECK(env.spool->intake_stopped());
    CHECK(spooled(env, 1));
    CHECK(env.index->counters().held_files == 3);
    CHECK(env.logger.count("intake stopped") == 1);
    CHECK(nlohmann::json::parse(env.spool->status_json(1))["intake_stopped"] == true);

    // Once file 1 is delivered it may go: 2 S < 2.25 S, so intake resumes.
    env.index->mark_delivered("sftp.head", id1, "/r/1", "{}");
    CHECK(env.spool->enforce_quota() == 1);
    CHECK(evicted(env, 1));
    CHECK_FALSE(spooled(env, 1));
    CHECK_FALSE(env.spool->intake_stopped());
    CHECK(env.index->counters().evicted_undelivered == 0);
}

TEST_CASE("stop_intake keeps intake stopped between 90 % and the quota", "[spool][quota]") {
    SpoolEnv env(quota_config(2.2, "stop_intake"), {"sftp.head"});
    const auto id1 = add(env, 1);
    add(env, 2);
    add(env, 3);
    REQUIRE(env.spool->intake_stopped());
    env.index->mark_delivered("sftp.head", id1, "/r/1", "{}");
    // File 1 goes; 2 S is under the quota (2.2 S) but over its 90 % (1.98 S).
    CHECK(env.spool->enforce_quota() == 1);
    CHECK(env.index->counters().held_files == 2);
    CHECK(env.spool->intake_stopped());
}

TEST_CASE("stop_intake with no file sinks evicts nothing", "[spool][quota]") {
    SpoolEnv env(quota_config(1.5, "stop_intake"));
    add(env, 1);
    add(env, 2);
    CHECK(env.spool->intake_stopped());
    CHECK(env.spool->enforce_quota() == 0);
    CHECK(env.index->counters().held_files == 2);
}

TEST_CASE("reconcile removes a file evicted in the index but not yet unlinked", "[spool][quota]") {
    SpoolEnv env;
    const auto id = add(env, 1);
    const std::vector<std::string> sinks;
    env.index->mark_evicted(id, sinks, 1);  // the crash came before the unlink
    REQUIRE(spooled(env, 1));
    CHECK(env.spool->reconcile() == 0);
    CHECK_FALSE(spooled(env, 1));
}
