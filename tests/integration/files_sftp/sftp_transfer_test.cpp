// Downloads and uploads against a real sshd: whole files, resumes from an offset, the
// remote prefix hash, bandwidth limit, progress and cancellation.
#include <catch2/catch.hpp>

#include <chrono>
#include <vector>

#include "gridgate/files/sha256.hpp"
#include "sftp_test_support.hpp"

using namespace gridgate;
using namespace gridgate::files;
using namespace gridgate::files::test;
using gridgate::testing::read_text_file;
using gridgate::testing::SshdFixture;
using gridgate::testing::SshdOptions;
using gridgate::testing::TempDir;

namespace {

std::string sha_of(const std::string& bytes) {
    return sha256_hex(std::as_bytes(std::span(bytes.data(), bytes.size())));
}

}  // namespace

TEST_CASE("download whole and resumed from an offset is byte-identical", "[sftp]") {
    const bool chroot = GENERATE(true, false);
    CAPTURE(chroot);
    TempDir dir("gg-sftp");
    SshdFixture sshd(dir.path() / "server", SshdOptions{.chroot = chroot, .password = {}});
    const std::string content = random_bytes(3 * 1024 * 1024 + 4321);  // not a multiple of any request size
    dir.write("server/root/pq/big.pqd", content);
    SftpSession session(sshd.endpoint(), null_logger(), "meter-1");

    const auto whole = dir.file("whole.pqd");
    std::vector<std::uint64_t> offsets;
    TransferControl control;
    control.progress = [&](std::uint64_t offset) { offsets.push_back(offset); };
    CHECK(session.download(remote(sshd, "pq/big.pqd"), whole, 0, control) == content.size());
    CHECK(read_text_file(whole) == content);
    CHECK(sha256_file(whole) == sha_of(content));
    REQUIRE_FALSE(offsets.empty());
    CHECK(std::is_sorted(offsets.begin(), offsets.end()));
    CHECK(offsets.back() == content.size());

    // Resume: a partial local file (with junk beyond the offset, as after a crash) is
    // truncated to the offset and completed.
    const std::uint64_t offset = 1'000'003;
    const auto part = dir.write("part.pqd", content.substr(0, offset) + "junk that must go");
    CHECK(session.download(remote(sshd, "pq/big.pqd"), part, offset) == content.size());
    CHECK(read_text_file(part) == content);

    // Resume at the end: nothing to fetch, nothing changes.
    CHECK(session.download(remote(sshd, "pq/big.pqd"), part, content.size()) == content.size());
    CHECK(read_text_file(part) == content);

    // Empty remote file.
    dir.write("server/root/pq/empty.pqd", "");
    CHECK(session.download(remote(sshd, "pq/empty.pqd"), dir.file("empty.pqd"), 0) == 0);
    CHECK(local_size(dir.file("empty.pqd")) == 0);

    CHECK_THROWS_AS(session.download(remote(sshd, "pq/missing.pqd"), dir.file("m.pqd"), 0), SshError);
    try {
        session.download(remote(sshd, "pq/missing.pqd"), dir.file("m.pqd"), 0);
    } catch (const SshError& e) {
        CHECK(e.kind() == SshErrorKind::no_such_file);
        CHECK_THAT(e.what(), Catch::Contains("pq/missing.pqd") && Catch::Contains("127.0.0.1:"));
    }
    // The session is still usable after a refused request.
    CHECK(session.stat(remote(sshd, "pq/big.pqd")));
}

TEST_CASE("upload whole and resumed, then sha256_prefix of the remote file", "[sftp]") {
    const bool chroot = GENERATE(true, false);
    CAPTURE(chroot);
    TempDir dir("gg-sftp");
    SshdFixture sshd(dir.path() / "server", SshdOptions{.chroot = chroot, .password = {}});
    std::filesystem::create_directories(sshd.root() / "in");
    const std::string content = random_bytes(2 * 1024 * 1024 + 77, 11);
    const auto local = dir.write("local.pqd", content);
    SftpSession session(sshd.endpoint(), null_logger(), "sink");

    CHECK(session.upload(local, remote(sshd, "in/a.pqd.part"), 0) == content.size());
    CHECK(read_text_file(sshd.root() / "in" / "a.pqd.part") == content);
    CHECK(session.sha256_prefix(remote(sshd, "in/a.pqd.part"), content.size()) == sha_of(content));
    CHECK(session.sha256_prefix(remote(sshd, "in/a.pqd.part"), 12345) == sha_of(content.substr(0, 12345)));
    CHECK(session.sha256_prefix(remote(sshd, "in/a.pqd.part"), 0) == sha_of(""));
    try {
        session.sha256_prefix(remote(sshd, "in/a.pqd.part"), content.size() + 1);
        FAIL("a prefix longer than the file was hashed");
    } catch (const SshError& e) {
        CHECK(e.kind() == SshErrorKind::remote);
    }

    // Resume after a cut: the remote holds a prefix (plus a stale tail beyond the
    // offset, which must not survive).
    const std::uint64_t offset = 700'001;
    dir.write("server/root/in/b.pqd.part", content.substr(0, offset) + "stale tail");
    CHECK(session.upload(local, remote(sshd, "in/b.pqd.part"), offset) == content.size());
    CHECK(read_text_file(sshd.root() / "in" / "b.pqd.part") == content);

    // A longer stale remote file is cut back to the local size.
    dir.write("server/root/in/c.pqd.part", content + std::string(100'000, 'x'));
    CHECK(session.upload(local, remote(sshd, "in/c.pqd.part"), offset) == content.size());
    CHECK(read_text_file(sshd.root() / "in" / "c.pqd.part") == content);

    // Offset 0 over an existing file truncates it.
    dir.write("server/root/in/d.pqd", std::string(5'000'000, 'y'));
    CHECK(session.upload(local, remote(sshd, "in/d.pqd"), 0) == content.size());
    CHECK(read_text_file(sshd.root() / "in" / "d.pqd") == content);

    // Resuming needs the remote prefix.
    dir.write("server/root/in/short.part", "abc");
    try {
        session.upload(local, remote(sshd, "in/short.part"), offset);
        FAIL("resumed beyond the remote file's end");
    } catch (const SshError& e) {
        CHECK(e.kind() == SshErrorKind::remote);
    }
    try {
        session.upload(local, remote(sshd, "in/none.part"), offset);
        FAIL("resumed a missing remote file");
    } catch (const SshError& e) {
        CHECK(e.kind() == SshErrorKind::no_such_file);
    }
    try {
        session.upload(dir.file("no-such-local"), remote(sshd, "in/x"), 0);
        FAIL("uploaded a missing local file");
    } catch (const SshError& e) {
        CHECK(e.kind() == SshErrorKind::local_io);
    }
}

TEST_CASE("the bandwidth limit slows a transfer down", "[sftp]") {
    TempDir dir("gg-sftp");
    SshdFixture sshd(dir.path() / "server");
    const std::string content = random_bytes(256 * 1024, 3);
    const auto local = dir.write("local.bin", content);
    SftpSession session(sshd.endpoint(), null_logger(), "sink");

    TransferControl control;
    control.max_bytes_per_s = 512 * 1024;
    // 256 KiB at 512 KiB/s is 0.5 s; the bucket starts with at most one request's worth.
    auto started = std::chrono::steady_clock::now();
    session.upload(local, "/up.bin", 0, control);
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(300));
    CHECK(read_text_file(sshd.root() / "up.bin") == content);

    started = std::chrono::steady_clock::now();
    session.download("/up.bin", dir.file("down.bin"), 0, control);
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(300));
    CHECK(read_text_file(dir.file("down.bin")) == content);
}

TEST_CASE("a cancelled transfer stops between chunks and can be resumed", "[sftp]") {
    TempDir dir("gg-sftp");
    SshdFixture sshd(dir.path() / "server");
    const std::string content = random_bytes(1024 * 1024, 5);
    const auto local = dir.write("local.bin", content);
    dir.write("server/root/remote.bin", content);
    SftpSession session(sshd.endpoint(), null_logger(), "sink");

    std::uint64_t reported = 0;
    TransferControl control;
    control.chunk_bytes = 16 * 1024;
    control.progress = [&](std::uint64_t offset) { reported = offset; };
    control.cancelled = [&] { return reported >= 100 * 1024; };

    try {
        session.upload(local, "/up.bin", 0, control);
        FAIL("upload was not cancelled");
    } catch (const SshError& e) {
        CHECK(e.kind() == SshErrorKind::cancelled);
    }
    const auto partial = local_size(sshd.root() / "up.bin");
    CHECK(partial >= 100 * 1024);
    CHECK(partial < content.size());
    CHECK(session.upload(local, "/up.bin", partial) == content.size());
    CHECK(read_text_file(sshd.root() / "up.bin") == content);

    reported = 0;
    try {
        session.download("/remote.bin", dir.file("down.bin"), 0, control);
        FAIL("download was not cancelled");
    } catch (const SshError& e) {
        CHECK(e.kind() == SshErrorKind::cancelled);
    }
    const auto got = local_size(dir.file("down.bin"));
    CHECK(got >= 100 * 1024);
    CHECK(got < content.size());
    CHECK(session.download("/remote.bin", dir.file("down.bin"), got) == content.size());
    CHECK(read_text_file(dir.file("down.bin")) == content);
}
