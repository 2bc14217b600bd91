// Interrupted downloads: the meter's sshd killed mid-transfer, the gateway stopped
// mid-transfer. The partial download is kept and resumed while the remote file is the
// same, and thrown away when it changed.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>

#include "pull_env.hpp"

using namespace gridgate;
using namespace gridgate::gateway;
using namespace std::chrono_literals;
using gridgate::testing::wait_until;
namespace fs = std::filesystem;
namespace gt = gridgate::gateway::test;

namespace {

// Big enough that a loopback download takes a while to notice and cut.
constexpr std::size_t big_size = 64u << 20;

std::vector<std::byte> random_bytes(std::size_t size, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::byte> bytes(size);
    for (std::size_t i = 0; i + 8 <= size; i += 8) {
        const std::uint64_t v = rng();
        std::memcpy(bytes.data() + i, &v, 8);
    }
    return bytes;
}

// The size of the one partial download in `dir` (0 when there is none).
std::uint64_t partial_size(const fs::path& dir) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) return fs::file_size(e.path(), ec);
    return 0;
}

// Starts a pull of a big file and waits until its download is under way.
void start_big_download(gt::PullEnv& t, const std::string& name, const std::vector<std::byte>& content) {
    gt::write_file(t.remote_dir() / name, content);
    t.start(gt::pull_config());
    const auto dir = t.env.spool->pull_partial_dir("m1");
    INFO(t.sshd.log_text());
    REQUIRE(wait_until([&] { return partial_size(dir) >= (1u << 20); }, 20s, 1ms));
}

}  // namespace

TEST_CASE("a download cut by the meter's sshd dying resumes from the partial", "[pull][resume]") {
    gt::PullEnv t;
    const std::string name = gt::pqdif_name(1);
    const auto content = random_bytes(big_size, 1);
    start_big_download(t, name, content);
    t.sshd.kill();

    REQUIRE(wait_until([&] { return t.status()["failures"].get<int>() >= 1; }, 20s));
    const auto partial = partial_size(t.env.spool->pull_partial_dir("m1"));
    CHECK(partial > 0);
    CHECK(partial < content.size());
    CHECK_FALSE(t.env.index->find("m1", name));
    CHECK(t.status()["last_error"].get<std::string>().size() > 0);

    t.sshd.start();
    t.puller->pull_now("m1");
    REQUIRE(wait_until([&] { return t.env.index->find("m1", name).has_value(); }, 30s));
    CHECK(t.env.logger.count("resuming " + name + " at byte") == 1);
    const auto row = t.env.index->find("m1", name);
    CHECK(row->size == content.size());
    CHECK(row->sha256 == gt::sha_of(content));
    CHECK(files::sha256_file(t.env.spool->directory() / "m1" / name) == gt::sha_of(content));
    CHECK_FALSE(row->well_formed);  // random bytes: kept anyway, flagged
    REQUIRE(t.wait_cycle_ok(2));
    CHECK(t.status()["last_error"] == "");
    CHECK(t.env.logger.count("pull works again") == 1);
}

TEST_CASE("a download cut by stopping the gateway resumes after a restart", "[pull][resume]") {
    gt::PullEnv t;
    const std::string name = gt::pqdif_name(2);
    const auto content = random_bytes(big_size, 2);
    start_big_download(t, name, content);
    t.puller->stop();  // cancels between chunks
    const auto partial = partial_size(t.env.spool->pull_partial_dir("m1"));
    CHECK(partial > 0);
    CHECK(partial < content.size());
    CHECK(t.status()["failures"] == 0);  // a cancel is not a failure

    t.start(gt::pull_config());  // a new puller, as after a restart of gridgated
    REQUIRE(wait_until([&] { return t.env.index->find("m1", name).has_value(); }, 30s));
    CHECK(t.env.logger.count("resuming " + name + " at byte") == 1);
    CHECK(t.env.index->find("m1", name)->sha256 == gt::sha_of(content));
}

TEST_CASE("a partial of a file that changed on the meter is thrown away", "[pull][resume]") {
    gt::PullEnv t;
    const std::string name = gt::pqdif_name(3);
    start_big_download(t, name, random_bytes(big_size, 3));
    t.sshd.kill();
    REQUIRE(wait_until([&] { return t.status()["failures"].get<int>() >= 1; }, 20s));
    REQUIRE(partial_size(t.env.spool->pull_partial_dir("m1")) > 0);

    // The meter's FIFO overwrote it with a different file of the same name.
    const auto replaced = random_bytes(big_size / 2, 4);
    gt::write_file(t.remote_dir() / name, replaced);
    t.sshd.start();
    t.puller->pull_now("m1");
    REQUIRE(wait_until([&] { return t.env.index->find("m1", name).has_value(); }, 30s));
    CHECK(t.env.logger.count("resuming " + name) == 0);
    CHECK(t.env.index->find("m1", name)->sha256 == gt::sha_of(replaced));
    CHECK(partial_size(t.env.spool->pull_partial_dir("m1")) == 0);
}
