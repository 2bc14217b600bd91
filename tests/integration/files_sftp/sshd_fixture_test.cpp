// SshdFixture checked with OpenSSH's own sftp client, so a wrapper bug cannot hide a
// fixture bug (and the other way round).
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include "gridgate/testing/child_process.hpp"
#include "gridgate/testing/sshd.hpp"
#include "gridgate/testing/temp_dir.hpp"
#include "gridgate/testing/wait.hpp"

using namespace gridgate::testing;

namespace {

// Runs `sftp -b batch` against the fixture with its pinned host key; exit code.
int run_sftp(const SshdFixture& sshd, const TempDir& dir, const std::string& batch) {
    const auto batch_file = dir.write("batch.txt", batch);
    const auto known_hosts = dir.write("known_hosts", "[127.0.0.1]:" + std::to_string(sshd.port()) + " " +
                                                          read_text_file(sshd.host_key_pub()));
    return run_command({"sftp", "-b", batch_file.string(), "-P", std::to_string(sshd.port()), "-i",
                        sshd.client_key().string(), "-o", "UserKnownHostsFile=" + known_hosts.string(), "-o",
                        "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-F", "/dev/null",
                        sshd.user() + "@127.0.0.1"},
                       dir.file("sftp.log"));
}

}  // namespace

TEST_CASE("SshdFixture serves SFTP in a chroot to OpenSSH's client", "[sshd]") {
    TempDir dir("gg-sshd");
    SshdFixture sshd(dir.path() / "meter");
    CHECK(sshd.remote_base().empty());
    CHECK(sshd.host_key_fingerprint().rfind("SHA256:", 0) == 0);
    dir.write("meter/root/hello.txt", "hello");
    INFO(sshd.log_text());
    REQUIRE(run_sftp(sshd, dir, "get /hello.txt " + dir.file("got.txt").string() + "\nmkdir /up\n") == 0);
    CHECK(read_text_file(dir.file("got.txt")) == "hello");
    CHECK(std::filesystem::is_directory(sshd.root() / "up"));
}

TEST_CASE("SshdFixture without chroot uses absolute paths under root()", "[sshd]") {
    TempDir dir("gg-sshd");
    SshdFixture sshd(dir.path() / "headend", SshdOptions{.chroot = false, .password = {}});
    REQUIRE(sshd.remote_base() == sshd.root().string());
    dir.write("headend/root/a.txt", "abc");
    INFO(sshd.log_text());
    REQUIRE(run_sftp(sshd, dir, "get " + sshd.remote_base() + "/a.txt " + dir.file("a.txt").string() + "\n") == 0);
    CHECK(read_text_file(dir.file("a.txt")) == "abc");
}

TEST_CASE("SshdFixture restarts on the same port with the same host key", "[sshd]") {
    TempDir dir("gg-sshd");
    SshdFixture sshd(dir.path() / "meter");
    const auto port = sshd.port();
    const auto fingerprint = sshd.host_key_fingerprint();
    sshd.kill();
    CHECK_FALSE(sshd.running());
    sshd.start();
    CHECK(sshd.running());
    CHECK(sshd.port() == port);
    CHECK(sshd.host_key_fingerprint() == fingerprint);
    dir.write("meter/root/x.txt", "x");
    INFO(sshd.log_text());
    CHECK(run_sftp(sshd, dir, "get /x.txt " + dir.file("x.txt").string() + "\n") == 0);
    sshd.stop();
    CHECK_FALSE(sshd.running());
}
