#pragma once
// A real OpenSSH sshd for tests, on 127.0.0.1 and a free port, serving SFTP
// (internal-sftp) to the user running the test (root in CI), stopped by pid when the
// object goes. Key authentication with a fresh ed25519 pair; optionally the session is
// chrooted into a folder (an SFTP-only "meter" account, as on the appliance) so remote
// paths are relative to it.
//
//   SshdFixture sshd(dir.path() / "meter");          // sshd.root(): what the client sees
//   SshEndpoint ep = sshd.endpoint();                 // host, port, user, key, pinned fingerprint
//   sshd.stop(); sshd.start();                        // same port and host key again
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "gridgate/files/sftp.hpp"

namespace gridgate::testing {

struct SshdOptions {
    // ChrootDirectory <work>/root (root-owned, 0755); files live under it. sshd refuses
    // a chroot path through world-writable /tmp, so it is handed a symlink kept in a
    // root-only folder /run/gg-sshd-XXXXXX (removed with the fixture).
    bool chroot = true;
    // When set, password authentication is on too and the user's password is this. sshd
    // then runs in a mount namespace of its own (unshare -m) where /etc/shadow is a copy
    // with the user's hash replaced: the machine's own accounts are left untouched.
    std::string password;
};

class SshdFixture {
public:
    // Makes <work> (host key, client key pair, sshd_config, log) and starts sshd.
    // Throws std::runtime_error with sshd's log when it does not come up.
    explicit SshdFixture(std::filesystem::path work, SshdOptions options = {});
    ~SshdFixture();
    SshdFixture(const SshdFixture&) = delete;
    SshdFixture& operator=(const SshdFixture&) = delete;

    std::uint16_t port() const;
    // The folder remote paths resolve in: with chroot, "/" is root(); without, paths
    // are absolute on this machine and remote_base() is root() (use it as a prefix).
    const std::filesystem::path& root() const;
    std::string remote_base() const;     // "" with chroot (remote "/x" is root()/x), else root()
    std::string user() const;
    const std::filesystem::path& client_key() const;   // private key file (no passphrase)
    const std::filesystem::path& host_key_pub() const;
    std::string host_key_fingerprint() const;          // "SHA256:..." of the host key
    // An endpoint with the user, key auth and the host key pinned by fingerprint.
    files::SshEndpoint endpoint() const;
    // The same with password auth only (needs SshdOptions::password).
    files::SshEndpoint password_endpoint() const;

    void start();      // again after stop(): same port, same keys
    void stop();       // SIGTERM; existing sessions' processes are killed too
    void kill();       // SIGKILL of the listener and every session process (a dead box)
    // SIGSTOP of the listener and every session process: connections stay up and the
    // kernel still ACKs, but nothing answers (a frozen box, a blackholed link). thaw()
    // sends SIGCONT.
    void freeze();
    void thaw();
    bool running() const;
    std::string log_text() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridgate::testing
