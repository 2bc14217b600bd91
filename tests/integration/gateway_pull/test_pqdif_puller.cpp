// PqdifPuller against a real sshd: what it takes, when, what it deletes, when it warns.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "pull_env.hpp"

using namespace gridgate;
using namespace gridgate::gateway;
using namespace std::chrono_literals;
using gridgate::testing::wait_until;
namespace fs = std::filesystem;
namespace gt = gridgate::gateway::test;

namespace {

std::int64_t mtime_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mtim.tv_sec;
}

// Three meter files; returns their contents by name.
std::map<std::string, std::vector<std::byte>> put_three(gt::PullEnv& t) {
    std::map<std::string, std::vector<std::byte>> files;
    for (int i = 0; i < 3; ++i) {
        const std::string name = gt::pqdif_name(i);
        files[name] = gt::pqdif_bytes(100 + i, 500);
        gt::write_file(t.remote_dir() / name, files[name]);
    }
    return files;
}

}  // namespace

TEST_CASE("a pull takes every settled file once, byte for byte - the next takes nothing", "[pull]") {
    gt::PullEnv t;
    const auto files = put_three(t);
    gt::write_file(t.remote_dir() / "notes.txt", gt::pqdif_bytes(1));     // not the pattern
    gt::write_file(t.remote_dir() / ".hidden.pqd", gt::pqdif_bytes(2));   // hidden
    fs::create_directories(t.remote_dir() / "sub.pqd");                   // not a file
    t.start(gt::pull_config());

    INFO(t.sshd.log_text());
    REQUIRE(t.wait_taken(3));
    REQUIRE(t.wait_cycle_ok(1));
    for (const auto& [name, bytes] : files) {
        const auto row = t.env.index->find("m1", name);
        REQUIRE(row);
        CHECK(row->source == "sftp_pull");
        CHECK(row->sha256 == gt::sha_of(bytes));
        CHECK(row->well_formed);
        CHECK(row->meter_mtime_s == mtime_of(t.remote_dir() / name));
        CHECK(files::sha256_file(t.env.spool->directory() / "m1" / name) == gt::sha_of(bytes));
        CHECK(fs::exists(t.remote_dir() / name));  // no deletion unless configured
    }
    CHECK(t.env.index->list(0, 10).size() == 3);

    t.puller->pull_now("m1");
    REQUIRE(t.wait_cycle_ok(2));
    const auto s = t.status();
    CHECK(s["files_taken"] == 3);
    CHECK(s["pulls"] == 2);
    CHECK(s["failures"] == 0);
    CHECK(s["remote_files"] == 3);
    CHECK(s["untaken_files"] == 0);
    CHECK(s["host"] == "127.0.0.1");
    CHECK(s["connected_last"].is_string());
    CHECK(t.env.index->list(0, 10).size() == 3);
    // No partial downloads are left behind.
    const auto partials = t.env.spool->pull_partial_dir("m1");
    CHECK(std::distance(fs::directory_iterator(partials), fs::directory_iterator()) == 0);
    CHECK_FALSE(t.puller->pull_now("nope"));
}

TEST_CASE("a file still growing is not taken until it stops", "[pull]") {
    gt::PullEnv t;
    auto config = gt::pull_config();
    config.interval = 300ms;
    config.settle = 600ms;
    const fs::path growing = t.remote_dir() / gt::pqdif_name(1);
    std::vector<std::byte> content = gt::pqdif_bytes(1, 200);
    gt::write_file(growing, content);
    const auto stable = gt::pqdif_bytes(2);
    gt::write_file(t.remote_dir() / gt::pqdif_name(2), stable);
    t.start(config);

    // Appends every 60 ms for about 2 s: many cycles list it, none may take it.
    for (int i = 0; i < 33; ++i) {
        std::this_thread::sleep_for(60ms);
        const auto more = gt::pqdif_bytes(i, 20);
        content.insert(content.end(), more.begin(), more.end());
        std::ofstream(growing, std::ios::binary | std::ios::app)
            .write(reinterpret_cast<const char*>(more.data()), static_cast<std::streamsize>(more.size()));
    }
    INFO(t.sshd.log_text());
    CHECK(t.env.index->find("m1", gt::pqdif_name(2)));  // the stable one went meanwhile
    CHECK_FALSE(t.env.index->find("m1", gt::pqdif_name(1)));
    CHECK(t.status()["pulls"].get<int>() >= 3);

    REQUIRE(wait_until([&] { return t.env.index->find("m1", gt::pqdif_name(1)).has_value(); }, 20s));
    const auto row = t.env.index->find("m1", gt::pqdif_name(1));
    CHECK(row->size == content.size());
    CHECK(row->sha256 == gt::sha_of(content));
}

TEST_CASE("delete_after_forward deletes on the meter only what every sink delivered", "[pull]") {
    gt::PullEnv t({"sftp.head"});
    auto config = gt::pull_config();
    config.delete_after_forward = true;
    const auto files = put_three(t);
    t.start(config);
    REQUIRE(t.wait_taken(3));
    REQUIRE(t.wait_cycle_ok(1));
    CHECK(t.status()["deleted_on_meter"] == 0);  // nothing delivered yet

    const auto f0 = t.env.index->find("m1", gt::pqdif_name(0));
    const auto f1 = t.env.index->find("m1", gt::pqdif_name(1));
    t.env.index->mark_delivered("sftp.head", f0->id, "/r/" + f0->name, "{}");
    t.env.index->mark_delivered("sftp.head", f1->id, "/r/" + f1->name, "{}");
    t.puller->notify_delivered();

    INFO(t.sshd.log_text());
    REQUIRE(wait_until([&] { return t.status()["deleted_on_meter"] == 2; }, 20s));
    CHECK_FALSE(fs::exists(t.remote_dir() / gt::pqdif_name(0)));
    CHECK_FALSE(fs::exists(t.remote_dir() / gt::pqdif_name(1)));
    CHECK(fs::exists(t.remote_dir() / gt::pqdif_name(2)));
    CHECK(t.env.index->find("m1", gt::pqdif_name(0))->deleted_on_meter);
    CHECK_FALSE(t.env.index->find("m1", gt::pqdif_name(2))->deleted_on_meter);
    CHECK(t.env.index->delivered_not_deleted("m1", std::vector<std::string>{"sftp.head"}).empty());

    // A delivered file already gone from the meter counts as deleted.
    fs::remove(t.remote_dir() / gt::pqdif_name(2));
    const auto f2 = t.env.index->find("m1", gt::pqdif_name(2));
    t.env.index->mark_delivered("sftp.head", f2->id, "/r/" + f2->name, "{}");
    t.puller->pull_now("m1");  // a full cycle deletes too
    REQUIRE(wait_until([&] { return t.status()["deleted_on_meter"] == 3; }, 20s));
    CHECK(t.env.index->find("m1", gt::pqdif_name(2))->deleted_on_meter);
    CHECK(t.status()["failures"] == 0);
}

TEST_CASE("without delete_after_forward delivered files stay on the meter", "[pull]") {
    gt::PullEnv t({"sftp.head"});
    put_three(t);
    t.start(gt::pull_config());
    REQUIRE(t.wait_taken(3));
    const auto f0 = t.env.index->find("m1", gt::pqdif_name(0));
    t.env.index->mark_delivered("sftp.head", f0->id, "/r/" + f0->name, "{}");
    t.puller->notify_delivered();
    t.puller->pull_now("m1");
    REQUIRE(t.wait_cycle_ok(2));
    CHECK(fs::exists(t.remote_dir() / gt::pqdif_name(0)));
    CHECK(t.status()["deleted_on_meter"] == 0);
}

TEST_CASE("a FIFO filling with untaken files is warned about once, and the all-clear follows", "[pull][fifo]") {
    gt::PullEnv t;
    const auto files = put_three(t);
    std::uint64_t total = 0;
    for (const auto& [name, bytes] : files) total += bytes.size();
    auto config = gt::pull_config();
    config.capacity_bytes = total + total / 10;  // ~91 % full
    config.warn_fill = 0.8;
    t.start(config);
    REQUIRE(t.wait_taken(3));
    REQUIRE(t.wait_cycle_ok(1));

    // Both listings of the first cycle saw untaken files: one warning.
    auto warnings = t.events.of_kind("pqdif_fifo_warning");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0]["meter"] == "m1");
    CHECK(warnings[0]["remote_bytes"] == total);
    CHECK(warnings[0]["capacity"] == config.capacity_bytes);
    CHECK(warnings[0]["untaken_files"] == 3);
    CHECK(warnings[0]["fill"].get<double>() == Approx(double(total) / double(config.capacity_bytes)));
    CHECK(t.env.logger.count("FIFO may overwrite") == 1);
    CHECK(t.status()["fifo_warning"] == true);

    // Now everything is taken: the next listing clears it.
    t.puller->pull_now("m1");
    REQUIRE(t.wait_cycle_ok(2));
    CHECK(t.events.of_kind("pqdif_fifo_ok").size() == 1);
    CHECK(t.events.of_kind("pqdif_fifo_warning").size() == 1);
    const auto s = t.status();
    CHECK(s["fifo_warning"] == false);
    CHECK(s["untaken_files"] == 0);
    CHECK(s["remote_bytes"] == total);
    CHECK(s["fill"].get<double>() > 0.8);
}

TEST_CASE("a backlog beyond max_files_per_pull drains at once, oldest files first", "[pull]") {
    gt::PullEnv t;
    // Names in the reverse order of their mtimes: the FIFO overwrites the oldest first.
    for (int i = 0; i < 5; ++i) {
        const fs::path p = t.remote_dir() / gt::pqdif_name(i);
        gt::write_file(p, gt::pqdif_bytes(i));
        const timespec times[2] = {{1'700'000'000 - i * 60, 0}, {1'700'000'000 - i * 60, 0}};
        REQUIRE(::utimensat(AT_FDCWD, p.c_str(), times, 0) == 0);
    }
    auto config = gt::pull_config();
    config.max_files_per_pull = 2;
    t.start(config);
    REQUIRE(t.wait_taken(5));
    CHECK(t.status()["pulls"].get<int>() >= 3);
    const auto rows = t.env.index->list(0, 10);
    REQUIRE(rows.size() == 5);
    for (int i = 0; i < 5; ++i) CHECK(rows[static_cast<std::size_t>(i)].name == gt::pqdif_name(4 - i));
}

TEST_CASE("while the spool's intake is stopped the puller leaves files on the meter", "[pull]") {
    SpoolConfig spool;
    spool.quota_bytes = 1000;
    spool.quota_policy = "stop_intake";
    gt::PullEnv t({}, spool);
    t.env.admit("m0", "big.pqd", std::vector<std::byte>(2000, std::byte{1}));  // over the quota
    REQUIRE(t.env.spool->intake_stopped());
    put_three(t);
    t.start(gt::pull_config());
    REQUIRE(t.wait_cycle_ok(1));
    t.puller->pull_now("m1");
    REQUIRE(t.wait_cycle_ok(2));
    CHECK(t.status()["files_taken"] == 0);
    CHECK(t.status()["untaken_files"] == 3);
    CHECK_FALSE(t.env.index->find("m1", gt::pqdif_name(0)));
    CHECK(t.env.logger.count("spool intake stopped") == 1);  // once, not per cycle
}
