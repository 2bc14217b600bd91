// Host key policies, authentication and connection failures, each ending in its own
// SshErrorKind.
#include <catch2/catch.hpp>

#include <fstream>

#include "gridgate/testing/child_process.hpp"
#include "gridgate/testing/ports.hpp"
#include "sftp_test_support.hpp"

using namespace gridgate;
using namespace gridgate::files;
using namespace gridgate::files::test;
using gridgate::testing::read_text_file;
using gridgate::testing::SshdFixture;
using gridgate::testing::TempDir;

namespace {

// Well formed, and nobody's key.
const std::string wrong = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

SshErrorKind connect_error(const SshEndpoint& endpoint, std::string* message = nullptr) {
    try {
        SftpSession session(endpoint, null_logger(), "meter-1");
    } catch (const SshError& e) {
        if (message) *message = e.what();
        return e.kind();
    }
    FAIL("the session was opened");
    return SshErrorKind::remote;
}

// A fresh ed25519 key pair in `dir` (private key path returned; ".pub" beside it).
std::filesystem::path make_key(const TempDir& dir, const std::string& name) {
    const auto key = dir.file(name);
    REQUIRE(testing::run_command({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.string()},
                                 dir.file("keygen.log")) == 0);
    return key;
}

}  // namespace

TEST_CASE("a pinned fingerprint is accepted, any other is refused", "[sftp][hostkey]") {
    TempDir dir("gg-sftp");
    SshdFixture sshd(dir.path() / "meter");
    auto endpoint = sshd.endpoint();
    {
        SftpSession session(endpoint, null_logger(), "meter-1");
        CHECK(session.host_key_fingerprint() == sshd.host_key_fingerprint());
    }
    endpoint.host_key.fingerprints = {wrong, sshd.host_key_fingerprint()};
    { SftpSession session(endpoint, null_logger(), "meter-1"); }  // any one matches

    endpoint.host_key.fingerprints = {wrong};
    std::string message;
    CHECK(connect_error(endpoint, &message) == SshErrorKind::host_key_unknown);
    CHECK_THAT(message, Catch::Contains(sshd.host_key_fingerprint()));

    endpoint.host_key.fingerprints.clear();  // no policy at all
    CHECK(connect_error(endpoint) == SshErrorKind::host_key_unknown);
}

TEST_CASE("known_hosts: a recorded key passes, a different one is a mismatch", "[sftp][hostkey]") {
    TempDir dir("gg-sftp");
    SshdFixture sshd(dir.path() / "meter");
    const std::string host = "[127.0.0.1]:" + std::to_string(sshd.port()) + " ";
    auto endpoint = sshd.endpoint();
    endpoint.host_key.fingerprints.clear();

    endpoint.host_key.known_hosts_file = dir.write("known_ok", host + read_text_file(sshd.host_key_pub())).string();
    { SftpSession session(endpoint, null_logger(), "meter-1"); }

    const auto other = make_key(dir, "other_host_key");
    endpoint.host_key.known_hosts_file =
        dir.write("known_other", host + read_text_file(other.string() + ".pub")).string();
    CHECK(connect_error(endpoint) == SshErrorKind::host_key_mismatch);
    endpoint.host_key.trust_on_first_use = true;  // never overrides a changed key
    CHECK(connect_error(endpoint) == SshErrorKind::host_key_mismatch);

    endpoint.host_key.trust_on_first_use = false;
    endpoint.host_key.known_hosts_file =
        dir.write("known_elsewhere", "[127.0.0.1]:1 " + read_text_file(sshd.host_key_pub())).string();
    CHECK(connect_error(endpoint) == SshErrorKind::host_key_unknown);
    endpoint.host_key.known_hosts_file = dir.file("missing_known_hosts").string();
    CHECK(connect_error(endpoint) == SshErrorKind::host_key_unknown);
}

TEST_CASE("trust on first use records the key, then known_hosts alone passes", "[sftp][hostkey]") {
    TempDir dir("gg-sftp");
    SshdFixture sshd(dir.path() / "meter");
    auto endpoint = sshd.endpoint();
    endpoint.host_key.fingerprints.clear();
    endpoint.host_key.known_hosts_file = dir.file("known_hosts").string();
    endpoint.host_key.trust_on_first_use = true;
    {
        SftpSession session(endpoint, null_logger(), "meter-1");
        CHECK(session.host_key_fingerprint() == sshd.host_key_fingerprint());
    }
    const std::string recorded = read_text_file(dir.file("known_hosts"));
    CHECK_THAT(recorded, Catch::Contains("[127.0.0.1]:" + std::to_string(sshd.port())));

    endpoint.host_key.trust_on_first_use = false;
    { SftpSession session(endpoint, null_logger(), "meter-1"); }
    CHECK(read_text_file(dir.file("known_hosts")) == recorded);  // nothing added the second time
}

TEST_CASE("a key the server does not know is an auth error", "[sftp][auth]") {
    TempDir dir("gg-sftp");
    SshdFixture sshd(dir.path() / "meter");
    auto endpoint = sshd.endpoint();
    endpoint.auth.private_key_file = make_key(dir, "stranger").string();
    endpoint.auth.password = "s3cret-pw";  // refused too (password auth is off)
    std::string message;
    CHECK(connect_error(endpoint, &message) == SshErrorKind::auth);
    CHECK_THAT(message, !Catch::Contains("s3cret-pw"));

    endpoint.auth.private_key_file.clear();
    endpoint.auth.password.clear();
    CHECK(connect_error(endpoint) == SshErrorKind::auth);
}

TEST_CASE("nothing listening is a connect error", "[sftp][connect]") {
    SshEndpoint endpoint;
    endpoint.host = "127.0.0.1";
    endpoint.port = testing::free_loopback_port();
    endpoint.auth.user = "root";
    endpoint.host_key.fingerprints = {wrong};
    std::string message;
    CHECK(connect_error(endpoint, &message) == SshErrorKind::connect);
    CHECK_THAT(message, Catch::Contains("127.0.0.1:" + std::to_string(endpoint.port)));
}

TEST_CASE("password authentication against sshd: the right password opens, a wrong one is an auth error",
          "[sftp][auth]") {
    TempDir dir("gg-sftp");
    testing::SshdOptions options;
    options.password = "Meter-PQ-pw1";
    SshdFixture sshd(dir.path() / "meter", options);
    std::ofstream(sshd.root() / "a.pqd") << "recording";

    auto endpoint = sshd.password_endpoint();
    {
        SftpSession session(endpoint, null_logger(), "meter-1");
        const auto entries = session.list("/");
        REQUIRE(entries.size() == 1);
        CHECK(entries[0].name == "a.pqd");
    }
    endpoint.auth.password = "not-the-password";
    std::string message;
    CHECK(connect_error(endpoint, &message) == SshErrorKind::auth);
    CHECK_THAT(message, !Catch::Contains("not-the-password"));

    // A key the server does not know, then the password: the password still gets in.
    endpoint = sshd.password_endpoint();
    endpoint.auth.private_key_file = make_key(dir, "stranger").string();
    SftpSession session(endpoint, null_logger(), "meter-1");
    CHECK(session.list("/").size() == 1);
}
