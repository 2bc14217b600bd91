// SftpSession file operations against a real sshd, chrooted (a meter account) and not
// (a head-end account with absolute paths).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>

#include "sftp_test_support.hpp"

using namespace gridgate;
using namespace gridgate::files;
using namespace gridgate::files::test;
using gridgate::testing::SshdFixture;
using gridgate::testing::SshdOptions;
using gridgate::testing::TempDir;

namespace {

std::int64_t local_mtime(const std::filesystem::path& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mtime;
}

SshErrorKind error_kind_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const SshError& e) {
        return e.kind();
    }
    FAIL("no SshError thrown");
    return SshErrorKind::remote;
}

}  // namespace

TEST_CASE("list and stat show files and folders", "[sftp]") {
    const bool chroot = GENERATE(true, false);
    CAPTURE(chroot);
    TempDir dir("gg-sftp");
    SshdFixture sshd(dir.path() / "server", SshdOptions{.chroot = chroot, .password = {}});
    const auto a = dir.write("server/root/pq/a.pqd", random_bytes(1000));
    dir.write("server/root/pq/b.pqd", "");
    std::filesystem::create_directories(sshd.root() / "pq" / "sub");
    std::filesystem::create_symlink("a.pqd", sshd.root() / "pq" / "link.pqd");  // neither file nor folder: left out

    SftpSession session(sshd.endpoint(), null_logger(), "meter-1");
    CHECK(session.host_key_fingerprint() == sshd.host_key_fingerprint());
    CHECK(session.server_has_fsync());

    auto entries = session.list(remote(sshd, "pq"));
    std::sort(entries.begin(), entries.end(), [](const auto& x, const auto& y) { return x.name < y.name; });
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].name == "a.pqd");
    CHECK(entries[0].size == 1000);
    CHECK(entries[0].regular);
    CHECK(entries[0].mtime_s == local_mtime(a));
    CHECK(entries[1].name == "b.pqd");
    CHECK(entries[1].size == 0);
    CHECK(entries[1].regular);
    CHECK(entries[2].name == "sub");
    CHECK_FALSE(entries[2].regular);

    const auto file = session.stat(remote(sshd, "pq/a.pqd"));
    REQUIRE(file);
    CHECK(file->name == "a.pqd");
    CHECK(file->size == 1000);
    CHECK(file->regular);
    CHECK(file->mtime_s == local_mtime(a));
    const auto folder = session.stat(remote(sshd, "pq/sub"));
    REQUIRE(folder);
    CHECK_FALSE(folder->regular);
    CHECK_FALSE(session.stat(remote(sshd, "pq/missing.pqd")));
    // A "no such file" answer does not stick to the next, successful call.
    CHECK(session.stat(remote(sshd, "pq/b.pqd")));

    CHECK(error_kind_of([&] { session.list(remote(sshd, "nope")); }) == SshErrorKind::no_such_file);
    CHECK(error_kind_of([&] { session.remove(remote(sshd, "nope.pqd")); }) == SshErrorKind::no_such_file);
    CHECK(session.list(remote(sshd, "pq/sub")).empty());
}

TEST_CASE("make_dirs creates nested folders and accepts existing ones", "[sftp]") {
    const bool chroot = GENERATE(true, false);
    CAPTURE(chroot);
    TempDir dir("gg-sftp");
    SshdFixture sshd(dir.path() / "server", SshdOptions{.chroot = chroot, .password = {}});
    SftpSession session(sshd.endpoint(), null_logger(), "sink");

    session.make_dirs(remote(sshd, "in/gw-1/meter-7"));
    CHECK(std::filesystem::is_directory(sshd.root() / "in" / "gw-1" / "meter-7"));
    session.make_dirs(remote(sshd, "in/gw-1/meter-7"));  // again: fine
    session.make_dirs(remote(sshd, "in/gw-1/meter-8/"));
    CHECK(std::filesystem::is_directory(sshd.root() / "in" / "gw-1" / "meter-8"));

    dir.write("server/root/in/file", "x");
    CHECK(error_kind_of([&] { session.make_dirs(remote(sshd, "in/file/below")); }) == SshErrorKind::remote);
}

TEST_CASE("rename replaces an existing target and remove deletes", "[sftp]") {
    const bool chroot = GENERATE(true, false);
    CAPTURE(chroot);
    TempDir dir("gg-sftp");
    SshdFixture sshd(dir.path() / "server", SshdOptions{.chroot = chroot, .password = {}});
    dir.write("server/root/up/x.pqd.part", "new content");
    dir.write("server/root/up/x.pqd", "old");
    dir.write("server/root/up/y.pqd.part", "fresh");
    SftpSession session(sshd.endpoint(), null_logger(), "sink");

    session.rename(remote(sshd, "up/x.pqd.part"), remote(sshd, "up/x.pqd"));
    CHECK(testing::read_text_file(sshd.root() / "up" / "x.pqd") == "new content");
    CHECK_FALSE(std::filesystem::exists(sshd.root() / "up" / "x.pqd.part"));

    session.rename(remote(sshd, "up/y.pqd.part"), remote(sshd, "up/y.pqd"));  // no target yet
    CHECK(testing::read_text_file(sshd.root() / "up" / "y.pqd") == "fresh");

    CHECK(error_kind_of([&] { session.rename(remote(sshd, "up/none"), remote(sshd, "up/z")); }) ==
          SshErrorKind::no_such_file);

    session.remove(remote(sshd, "up/y.pqd"));
    CHECK_FALSE(std::filesystem::exists(sshd.root() / "up" / "y.pqd"));
    CHECK_FALSE(session.stat(remote(sshd, "up/y.pqd")));
}
