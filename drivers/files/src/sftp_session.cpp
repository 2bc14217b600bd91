// SftpSession: setup and teardown, error classification, and the small file operations
// (list, stat, mkdir -p, rename, remove). Transfers are in sftp_transfer.cpp.
#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <sstream>

#include "sftp_impl.hpp"

namespace gridgate::files {

const char* to_string(SshErrorKind kind) {
    switch (kind) {
        case SshErrorKind::connect: return "connect";
        case SshErrorKind::host_key_unknown: return "host_key_unknown";
        case SshErrorKind::host_key_mismatch: return "host_key_mismatch";
        case SshErrorKind::auth: return "auth";
        case SshErrorKind::no_such_file: return "no_such_file";
        case SshErrorKind::permission: return "permission";
        case SshErrorKind::remote: return "remote";
        case SshErrorKind::link: return "link";
        case SshErrorKind::cancelled: return "cancelled";
        case SshErrorKind::local_io: return "local_io";
    }
    return "unknown";
}

namespace {

// Teardown of a healthy session still talks to the server (channel EOF and close, the
// disconnect message); a peer that stopped reading must not hold it up for long.
constexpr auto teardown_timeout = std::chrono::seconds(2);

std::string status_name(int status) {
    switch (status) {
        case SSH_FX_EOF: return "end of file";
        case SSH_FX_FAILURE: return "failure";
        case SSH_FX_BAD_MESSAGE: return "bad message";
        case SSH_FX_OP_UNSUPPORTED: return "operation unsupported";
        case SSH_FX_INVALID_HANDLE: return "invalid handle";
        case SSH_FX_FILE_ALREADY_EXISTS: return "file already exists";
        default: return "status " + std::to_string(status);
    }
}

RemoteEntry entry_from(const std::string& name, sftp_attributes a) {
    RemoteEntry entry;
    entry.name = name;
    entry.size = a->size;
    entry.mtime_s = a->mtime64 != 0 ? static_cast<std::int64_t>(a->mtime64) : static_cast<std::int64_t>(a->mtime);
    entry.regular = a->type == SSH_FILEXFER_TYPE_REGULAR;
    return entry;
}

std::string base_name(const std::string& path) {
    std::string trimmed = path;
    while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
    const auto slash = trimmed.rfind('/');
    return slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
}

struct AttributesDeleter {
    void operator()(sftp_attributes a) const { sftp_attributes_free(a); }
};
using Attributes = std::unique_ptr<sftp_attributes_struct, AttributesDeleter>;

}  // namespace

detail::SftpState::SftpState(const SshEndpoint& ep, Logger& log, std::string name)
    : endpoint(ep), logger(log), log_name(std::move(name)), where(ep.host + ":" + std::to_string(ep.port)) {}

void detail::SftpState::require_link() const {
    if (broken) throw SshError(SshErrorKind::link, where + ": the connection was lost earlier; reconnect");
}

// libssh 0.10 keeps the last SFTP status in a public field of the session and only
// overwrites it when a status message arrives: reset it so a failure without one
// (a lost link) is not mistaken for the previous call's "no such file".
void detail::SftpState::clear_status() const { sftp->errnum = SSH_FX_OK; }

SshError detail::SftpState::fail(const std::string& operation, const std::string& path) {
    const std::string subject = where + ": " + operation + (path.empty() ? "" : " " + path);
    const auto lost = [&](const std::string& why) {
        broken = true;
        watchdog.cut();  // later calls and the teardown then fail at once
        return SshError(SshErrorKind::link, subject + ": " + why);
    };
    if (watchdog.fired()) return lost("no answer within io_timeout (" + format_duration(endpoint.io_timeout) + ")");
    if (!ssh_is_connected(ssh) || !sftp || ssh_channel_is_closed(sftp->channel) || ssh_channel_is_eof(sftp->channel))
        return lost(std::string("connection lost: ") + ssh_get_error(ssh));
    const int status = sftp_get_error(sftp);
    switch (status) {
        case SSH_FX_OK:  // no SFTP status: the SSH layer failed under the call
        case SSH_FX_NO_CONNECTION:
        case SSH_FX_CONNECTION_LOST:
            return lost(std::string("connection lost: ") + ssh_get_error(ssh));
        case SSH_FX_NO_SUCH_FILE:
        case SSH_FX_NO_SUCH_PATH:
            return SshError(SshErrorKind::no_such_file, subject + ": no such file or directory");
        case SSH_FX_PERMISSION_DENIED:
        case SSH_FX_WRITE_PROTECT:
            return SshError(SshErrorKind::permission, subject + ": permission denied");
        default:
            return SshError(SshErrorKind::remote, subject + ": server said " + status_name(status) + " (" +
                                                      ssh_get_error(ssh) + ")");
    }
}

SftpSession::SftpSession(const SshEndpoint& endpoint, Logger& logger, std::string log_name)
    : impl_(std::make_unique<Impl>(endpoint, logger, std::move(log_name))) {
    auto& s = *impl_;
    const HostKeyPolicy& policy = endpoint.host_key;
    if (policy.trust_on_first_use && policy.known_hosts_file.empty())
        throw std::invalid_argument(s.where + ": trust_on_first_use needs a known_hosts_file to record the key in");
    if (policy.fingerprints.empty() && policy.known_hosts_file.empty())
        throw SshError(SshErrorKind::host_key_unknown,
                       s.where + ": no host key policy (pin a fingerprint or give a known_hosts file)");

    const auto started = std::chrono::steady_clock::now();
    auto connection = detail::connect_ssh(endpoint, s.where, s.watchdog, logger, s.log_name);
    s.ssh = connection.ssh;
    s.fingerprint = connection.fingerprint;
    s.endpoint.auth.password.clear();  // not needed any more; keep it out of memory dumps
    s.endpoint.auth.key_passphrase.clear();

    const auto left = std::chrono::duration_cast<std::chrono::steady_clock::duration>(endpoint.connect_timeout) -
                      (std::chrono::steady_clock::now() - started);
    {
        detail::ArmedScope armed(s.watchdog,
                                 std::max<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(100)));
        s.sftp = sftp_new(s.ssh);
        const bool ok = s.sftp && sftp_init(s.sftp) == SSH_OK;
        if (!ok) {
            const std::string why = s.watchdog.fired() ? "timed out" : ssh_get_error(s.ssh);
            s.broken = true;
            throw SshError(SshErrorKind::connect, s.where + ": cannot start the SFTP subsystem: " + why);
        }
    }
    s.has_fsync = sftp_extension_supported(s.sftp, "fsync@openssh.com", "1") == 1;
    logger.info("sftp", s.log_name + ": connected to " + s.where + " as '" + endpoint.auth.user + "', host key " +
                            s.fingerprint + (s.has_fsync ? "" : ", server has no fsync"));
}

detail::SftpState::~SftpState() {
    if (broken) watchdog.cut();
    const auto bound = std::min<std::chrono::steady_clock::duration>(teardown_timeout, endpoint.io_timeout);
    ArmedScope armed(watchdog, bound);
    if (sftp) sftp_free(sftp);
    if (ssh) {
        ssh_disconnect(ssh);
        ssh_free(ssh);
    }
}

SftpSession::~SftpSession() = default;

const std::string& SftpSession::host_key_fingerprint() const { return impl_->fingerprint; }

bool SftpSession::server_has_fsync() const { return impl_->has_fsync; }

std::vector<RemoteEntry> SftpSession::list(const std::string& dir) {
    auto& s = *impl_;
    s.require_link();
    s.clear_status();
    sftp_dir handle = nullptr;
    {
        auto armed = s.guard();
        handle = sftp_opendir(s.sftp, dir.c_str());
    }
    if (!handle) s.throw_fail("list", dir);
    const auto close_dir = [&] { sftp_closedir(handle); };
    std::vector<RemoteEntry> entries;
    while (true) {
        sftp_attributes raw = nullptr;
        {
            auto armed = s.guard();
            raw = sftp_readdir(s.sftp, handle);
        }
        if (!raw) {
            if (sftp_dir_eof(handle)) break;
            SshError error = s.fail("list", dir);
            close_dir();
            throw error;
        }
        Attributes attributes(raw);
        const std::string name = raw->name ? raw->name : "";
        if (name.empty() || name == "." || name == "..") continue;
        if (raw->type != SSH_FILEXFER_TYPE_REGULAR && raw->type != SSH_FILEXFER_TYPE_DIRECTORY) continue;
        entries.push_back(entry_from(name, raw));
    }
    auto armed = s.guard();
    close_dir();
    return entries;
}

std::optional<RemoteEntry> SftpSession::stat(const std::string& path) {
    auto& s = *impl_;
    s.require_link();
    s.clear_status();
    sftp_attributes raw = nullptr;
    {
        auto armed = s.guard();
        raw = sftp_stat(s.sftp, path.c_str());
    }
    if (!raw) {
        SshError error = s.fail("stat", path);
        if (error.kind() == SshErrorKind::no_such_file) return std::nullopt;
        throw error;
    }
    Attributes attributes(raw);
    return entry_from(base_name(path), raw);
}

void SftpSession::make_dirs(const std::string& dir) {
    auto& s = *impl_;
    if (auto existing = stat(dir); existing && !existing->regular) return;
    std::istringstream parts(dir);
    std::string part;
    std::string prefix = dir.starts_with('/') ? "/" : "";
    while (std::getline(parts, part, '/')) {
        if (part.empty() || part == ".") continue;
        prefix += (prefix.empty() || prefix.ends_with('/') ? "" : "/") + part;
        if (auto existing = stat(prefix)) {
            if (existing->regular) throw SshError(SshErrorKind::remote, s.where + ": mkdir " + prefix + ": is a file");
            continue;
        }
        s.clear_status();
        int rc = 0;
        {
            auto armed = s.guard();
            rc = sftp_mkdir(s.sftp, prefix.c_str(), S_IRWXU | S_IRGRP | S_IXGRP | S_IROTH | S_IXOTH);
        }
        if (rc != SSH_OK) {
            SshError error = s.fail("mkdir", prefix);
            if (error.kind() == SshErrorKind::link) throw error;
            // Someone else may have made it in the meantime: fine if it is there now.
            if (auto now = stat(prefix); !now || now->regular) throw error;
        }
    }
}

void SftpSession::rename(const std::string& from, const std::string& to) {
    auto& s = *impl_;
    s.require_link();
    const auto try_rename = [&] {
        s.clear_status();
        auto armed = s.guard();
        return sftp_rename(s.sftp, from.c_str(), to.c_str()) == SSH_OK;
    };
    if (try_rename()) return;
    SshError error = s.fail("rename", from + " -> " + to);
    // libssh 0.10 cannot send posix-rename@openssh.com, and SFTP v3 rename (OpenSSH
    // links, then unlinks) refuses an existing target: remove it, then rename again.
    // The window without `to` is short, and `from` is complete by then.
    if (error.kind() != SshErrorKind::remote || !stat(to)) throw error;
    remove(to);
    if (!try_rename()) s.throw_fail("rename", from + " -> " + to);
}

void SftpSession::remove(const std::string& path) {
    auto& s = *impl_;
    s.require_link();
    s.clear_status();
    int rc = 0;
    {
        auto armed = s.guard();
        rc = sftp_unlink(s.sftp, path.c_str());
    }
    if (rc != SSH_OK) s.throw_fail("remove", path);
}

}  // namespace gridgate::files
