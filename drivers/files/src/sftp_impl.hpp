#pragma once
// SftpSession's private state, shared by its source files (connect, file operations,
// transfers), and the one place libssh results become SshError.
#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <string>

#include "gridgate/files/sftp.hpp"
#include "ssh_watchdog.hpp"

namespace gridgate::files::detail {

// A connected, authenticated SSH session (ssh_connect.cpp). Throws SshError.
struct SshConnection {
    ssh_session ssh = nullptr;
    std::string fingerprint;
};
SshConnection connect_ssh(const SshEndpoint& endpoint, const std::string& where, LinkWatchdog& watchdog,
                          Logger& logger, const std::string& log_name);

// Owns an sftp_file; closes it quietly unless close() was called and checked.
class RemoteFile {
public:
    RemoteFile(sftp_file file) : file_(file) {}
    ~RemoteFile() {
        if (file_) sftp_close(file_);
    }
    RemoteFile(const RemoteFile&) = delete;
    RemoteFile& operator=(const RemoteFile&) = delete;
    sftp_file get() const { return file_; }
    int close() {
        const int rc = sftp_close(file_);
        file_ = nullptr;
        return rc;
    }

private:
    sftp_file file_;
};

// The session state. SftpSession::Impl (private in the header) is this, under a name
// the helper functions of the transfer code can take.
struct SftpState {
    SshEndpoint endpoint;  // the password is cleared once authenticated
    Logger& logger;
    std::string log_name;
    std::string where;  // "host:port", the prefix of every message
    LinkWatchdog watchdog;
    ssh_session ssh = nullptr;
    sftp_session sftp = nullptr;
    std::string fingerprint;
    bool has_fsync = false;
    bool broken = false;  // the link failed: no more requests, teardown without waiting

    SftpState(const SshEndpoint& ep, Logger& log, std::string name);
    ~SftpState();  // closes quietly, bounded in time; also after a failed constructor
    SftpState(const SftpState&) = delete;
    SftpState& operator=(const SftpState&) = delete;

    // Bounds the next libssh call by io_timeout (see LinkWatchdog).
    ArmedScope guard() { return ArmedScope(watchdog, endpoint.io_timeout); }
    // Throws SshError(link) when an earlier call broke the link.
    void require_link() const;
    // Before a call whose failure is classified by fail(): libssh keeps the last SFTP
    // status in the session, so an old "no such file" would otherwise be blamed.
    void clear_status() const;
    int status() const { return sftp_get_error(sftp); }
    // The error for a failed libssh/SFTP call on `path` while doing `operation`. A call
    // that failed without an SFTP status lost the link; the session is then marked broken.
    SshError fail(const std::string& operation, const std::string& path);
    [[noreturn]] void throw_fail(const std::string& operation, const std::string& path) {
        throw fail(operation, path);
    }
};

}  // namespace gridgate::files::detail

namespace gridgate::files {

struct SftpSession::Impl : detail::SftpState {
    using SftpState::SftpState;
};

}  // namespace gridgate::files
