#pragma once
// SFTP over libssh: the one wrapper of that C library (design.md: one wrapper per C
// library, return codes become typed errors here). Used by the gateway to pull PQDIF
// files from meters and by the northbound SFTP forwarder to upload them to a head-end.
// Blocking calls, meant for a worker thread of their own; every call is bounded by the
// endpoint's timeouts and can be cancelled between chunks.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "gridgate/core/log.hpp"
#include "gridgate/core/time.hpp"

namespace gridgate::files {

enum class SshErrorKind {
    connect,            // TCP connect / SSH handshake failed or timed out
    host_key_unknown,   // no pinned fingerprint matched, no known_hosts entry, no trust on first use
    host_key_mismatch,  // the host presented a different key than the one on record
    auth,               // the server refused the password or key
    no_such_file,       // a remote path does not exist
    permission,         // the server refused access
    remote,             // any other SFTP status from the server
    link,               // the connection broke or an operation timed out mid-way
    cancelled,          // TransferControl::cancelled returned true
    local_io,           // reading or writing a local file failed
};
const char* to_string(SshErrorKind kind);

class SshError : public std::runtime_error {
public:
    SshError(SshErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    SshErrorKind kind() const { return kind_; }

private:
    SshErrorKind kind_;
};

// How the server's host key is checked. At least one way must be set.
struct HostKeyPolicy {
    std::vector<std::string> fingerprints;  // "SHA256:<base64, no padding>" as ssh-keygen -l prints; any one matches
    std::string known_hosts_file;           // OpenSSH known_hosts; checked when set
    // Unknown host (no fingerprint pinned, not in known_hosts_file): accept it and append
    // it to known_hosts_file (which must be set). A *changed* key is always refused.
    bool trust_on_first_use = false;
};

struct SshAuth {
    std::string user;
    std::string password;          // used when non-empty
    std::string private_key_file;  // used when non-empty (tried before the password)
    std::string key_passphrase;
};

struct SshEndpoint {
    std::string host;
    std::uint16_t port = 22;
    SshAuth auth;
    HostKeyPolicy host_key;
    Duration connect_timeout = std::chrono::seconds(10);  // TCP + handshake + auth
    Duration io_timeout = std::chrono::seconds(30);       // any single read or write
};

struct RemoteEntry {
    std::string name;               // the name within its directory (no '/')
    std::uint64_t size = 0;
    std::int64_t mtime_s = 0;       // seconds since the epoch, as the server reports it
    bool regular = false;           // a regular file (not a directory or link)
};

struct TransferControl {
    std::size_t chunk_bytes = 64 * 1024;
    double max_bytes_per_s = 0;             // 0 = unlimited (a token bucket over chunks)
    std::function<bool()> cancelled;        // polled between chunks; true = stop with SshError(cancelled)
    std::function<void(std::uint64_t offset)> progress;  // after each chunk, the new offset
};

class SftpSession {
public:
    // Connects, checks the host key, authenticates and opens the SFTP channel. Throws
    // SshError. `log_name` prefixes log lines (a meter or sink id).
    SftpSession(const SshEndpoint& endpoint, Logger& logger, std::string log_name);
    ~SftpSession();  // closes quietly
    SftpSession(const SftpSession&) = delete;
    SftpSession& operator=(const SftpSession&) = delete;

    // The server's host key as "SHA256:<base64>" (for messages and first-use pinning).
    const std::string& host_key_fingerprint() const;

    // Regular files and directories of `dir` ("." and ".." left out), in server order.
    std::vector<RemoteEntry> list(const std::string& dir);
    // nullopt when the path does not exist.
    std::optional<RemoteEntry> stat(const std::string& path);
    // mkdir -p; existing directories are fine.
    void make_dirs(const std::string& dir);

    // Copies remote bytes [offset, EOF) into `local`, written at the same offset (the
    // local file is created if missing, truncated to `offset` first). Returns the new
    // local size. The local file is fsynced before returning.
    std::uint64_t download(const std::string& remote, const std::filesystem::path& local, std::uint64_t offset,
                           const TransferControl& control = {});
    // Copies local bytes [offset, EOF) to `remote` at the same offset. offset 0 creates
    // or truncates the remote file; otherwise it must exist and is truncated to nothing
    // beyond what is written. Asks the server to fsync when it offers
    // fsync@openssh.com. Returns the remote size written up to.
    std::uint64_t upload(const std::filesystem::path& local, const std::string& remote, std::uint64_t offset,
                         const TransferControl& control = {});
    // SHA-256 (lowercase hex) of the remote file's first `length` bytes, read back over
    // SFTP (there is no server-side hash in OpenSSH). SshError(remote) if shorter.
    std::string sha256_prefix(const std::string& remote, std::uint64_t length, const TransferControl& control = {});
    // Renames, replacing `to` if it exists (posix-rename@openssh.com when offered, else
    // remove + rename).
    void rename(const std::string& from, const std::string& to);
    void remove(const std::string& path);

    bool server_has_fsync() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridgate::files
