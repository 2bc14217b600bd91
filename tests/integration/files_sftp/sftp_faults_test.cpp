// A peer that dies or freezes mid-transfer ends the call with SshError(link) instead
// of hanging it, and a new session resumes to an identical file.
#include <catch2/catch.hpp>

#include <chrono>

#include "gridgate/files/sha256.hpp"
#include "gridgate/testing/tcp_proxy.hpp"
#include "sftp_test_support.hpp"

using namespace gridgate;
using namespace gridgate::files;
using namespace gridgate::files::test;
using gridgate::testing::read_text_file;
using gridgate::testing::SshdFixture;
using gridgate::testing::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

const auto is_link_error =
    Catch::Predicate<SshError>([](const SshError& e) { return e.kind() == SshErrorKind::link; }, "a link error");

// Slow enough that the peer can be killed while the transfer runs.
TransferControl paced(std::function<void(std::uint64_t)> progress) {
    TransferControl control;
    control.max_bytes_per_s = 4 * 1024 * 1024;
    control.chunk_bytes = 32 * 1024;
    control.progress = std::move(progress);
    return control;
}

}  // namespace

TEST_CASE("sshd killed mid-download: link error at once, then an identical resume", "[sftp][fault]") {
    TempDir dir("gg-sftp");
    SshdFixture sshd(dir.path() / "meter");
    const std::string content = random_bytes(2 * 1024 * 1024, 9);
    dir.write("meter/root/pq.pqd", content);
    const auto local = dir.file("pq.pqd");
    {
        SftpSession session(sshd.endpoint(), null_logger(), "meter-1");
        Clock::time_point killed{};
        auto control = paced([&](std::uint64_t offset) {
            if (offset >= 512 * 1024 && killed == Clock::time_point{}) {
                sshd.kill();
                killed = Clock::now();
            }
        });
        try {
            session.download("/pq.pqd", local, 0, control);
            FAIL("download survived a dead server");
        } catch (const SshError& e) {
            CHECK(e.kind() == SshErrorKind::link);
        }
        REQUIRE(killed != Clock::time_point{});
        CHECK(Clock::now() - killed < std::chrono::seconds(3));  // a reset, not io_timeout
        // The broken session refuses further work with the same kind.
        CHECK_THROWS_MATCHES(session.stat("/pq.pqd"), SshError, is_link_error);
    }
    const auto partial = local_size(local);
    CHECK(partial >= 512 * 1024);
    CHECK(partial < content.size());
    CHECK(read_text_file(local) == content.substr(0, partial));

    sshd.start();
    SftpSession session(sshd.endpoint(), null_logger(), "meter-1");
    CHECK(session.download("/pq.pqd", local, partial) == content.size());
    CHECK(read_text_file(local) == content);
    CHECK(sha256_file(local) == session.sha256_prefix("/pq.pqd", content.size()));
}

TEST_CASE("sshd killed mid-upload: link error, then the upload resumes", "[sftp][fault]") {
    TempDir dir("gg-sftp");
    SshdFixture sshd(dir.path() / "headend");
    const std::string content = random_bytes(2 * 1024 * 1024, 13);
    const auto local = dir.write("up.pqd", content);
    {
        SftpSession session(sshd.endpoint(), null_logger(), "sink");
        bool killed = false;
        auto control = paced([&](std::uint64_t offset) {
            if (offset >= 512 * 1024 && !killed) {
                sshd.kill();
                killed = true;
            }
        });
        try {
            session.upload(local, "/up.pqd.part", 0, control);
            FAIL("upload survived a dead server");
        } catch (const SshError& e) {
            CHECK(e.kind() == SshErrorKind::link);
        }
    }
    sshd.start();
    SftpSession session(sshd.endpoint(), null_logger(), "sink");
    const auto remote_entry = session.stat("/up.pqd.part");
    REQUIRE(remote_entry);
    const auto offset = remote_entry->size;
    CHECK(offset < content.size());
    // Verify the remote prefix before trusting it, as the forwarder does.
    CHECK(session.sha256_prefix("/up.pqd.part", offset) == sha256_file(local, offset));
    CHECK(session.upload(local, "/up.pqd.part", offset) == content.size());
    session.rename("/up.pqd.part", "/up.pqd");
    CHECK(read_text_file(sshd.root() / "up.pqd") == content);
}

TEST_CASE("a frozen server ends in a link error after io_timeout, not a hang", "[sftp][fault]") {
    TempDir dir("gg-sftp");
    SshdFixture sshd(dir.path() / "meter");
    const std::string content = random_bytes(2 * 1024 * 1024, 17);
    dir.write("meter/root/pq.pqd", content);
    auto endpoint = sshd.endpoint();
    endpoint.io_timeout = std::chrono::seconds(1);
    SftpSession session(endpoint, null_logger(), "meter-1");

    SECTION("mid-download") {
        bool frozen = false;
        auto control = paced([&](std::uint64_t offset) {
            if (offset >= 256 * 1024 && !frozen) {
                sshd.freeze();
                frozen = true;
            }
        });
        const auto started = Clock::now();
        try {
            session.download("/pq.pqd", dir.file("pq.pqd"), 0, control);
            FAIL("download finished against a frozen server");
        } catch (const SshError& e) {
            CHECK(e.kind() == SshErrorKind::link);
            CHECK_THAT(e.what(), Catch::Contains("io_timeout"));
        }
        // Generous bound: the point is that it ends at all.
        CHECK(Clock::now() - started < std::chrono::seconds(10));
    }
    SECTION("a single request") {
        sshd.freeze();
        const auto started = Clock::now();
        CHECK_THROWS_MATCHES(session.list("/"), SshError, is_link_error);
        CHECK(Clock::now() - started < std::chrono::seconds(10));
    }
    sshd.thaw();
}

TEST_CASE("a link cut mid-upload (TCP reset) is a link error; the upload resumes", "[sftp][fault]") {
    TempDir dir("gg-sftp");
    SshdFixture sshd(dir.path() / "headend");
    testing::TcpProxy proxy(sshd.port());
    auto endpoint = sshd.endpoint();
    endpoint.port = proxy.port();
    const std::string content = random_bytes(1024 * 1024 + 5, 21);
    const auto local = dir.write("up.pqd", content);
    {
        SftpSession session(endpoint, null_logger(), "sink");
        proxy.cut_after_upstream_bytes(300 * 1024);
        try {
            session.upload(local, "/up.pqd.part", 0);
            FAIL("upload survived a cut link");
        } catch (const SshError& e) {
            CHECK(e.kind() == SshErrorKind::link);
        }
    }
    CHECK(proxy.cuts() == 1);
    SftpSession session(endpoint, null_logger(), "sink");
    const auto offset = session.stat("/up.pqd.part").value().size;
    CHECK(offset < content.size());
    CHECK(session.sha256_prefix("/up.pqd.part", offset) == sha256_file(local, offset));
    CHECK(session.upload(local, "/up.pqd.part", offset) == content.size());
    CHECK(read_text_file(sshd.root() / "up.pqd.part") == content);
}

TEST_CASE("a frozen server during the handshake is a connect error after connect_timeout", "[sftp][fault]") {
    TempDir dir("gg-sftp");
    SshdFixture sshd(dir.path() / "meter");
    auto endpoint = sshd.endpoint();
    endpoint.connect_timeout = std::chrono::seconds(1);
    sshd.freeze();  // the kernel still accepts the TCP connection; no banner ever comes
    const auto started = Clock::now();
    try {
        SftpSession session(endpoint, null_logger(), "meter-1");
        FAIL("connected to a frozen server");
    } catch (const SshError& e) {
        CHECK(e.kind() == SshErrorKind::connect);
    }
    CHECK(Clock::now() - started < std::chrono::seconds(10));
    sshd.thaw();
    SftpSession session(endpoint, null_logger(), "meter-1");  // and it recovers
}
