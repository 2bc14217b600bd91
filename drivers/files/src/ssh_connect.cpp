// Opening an SSH session for SFTP: options, TCP + handshake, the host key check of
// HostKeyPolicy, then key and password authentication.
#include <algorithm>
#include <memory>

#include "sftp_impl.hpp"

namespace gridgate::files::detail {

namespace {

struct SessionDeleter {
    void operator()(ssh_session s) const {
        ssh_disconnect(s);
        ssh_free(s);
    }
};
using SessionPtr = std::unique_ptr<ssh_session_struct, SessionDeleter>;

struct KeyDeleter {
    void operator()(ssh_key k) const { ssh_key_free(k); }
};
using KeyPtr = std::unique_ptr<ssh_key_struct, KeyDeleter>;

void set_timeout(ssh_session ssh, Duration timeout) {
    const auto us = std::max<std::int64_t>(timeout.count(), 1000);
    long seconds = static_cast<long>(us / 1'000'000);
    long micros = static_cast<long>(us % 1'000'000);
    ssh_options_set(ssh, SSH_OPTIONS_TIMEOUT, &seconds);
    ssh_options_set(ssh, SSH_OPTIONS_TIMEOUT_USEC, &micros);
}

void set_option(ssh_session ssh, ssh_options_e option, const void* value, const std::string& where,
                const char* name) {
    if (ssh_options_set(ssh, option, value) != SSH_OK)
        throw SshError(SshErrorKind::connect, where + ": cannot set SSH option " + name + ": " + ssh_get_error(ssh));
}

// Only the files named by the policy are consulted: never ~/.ssh/config or the user's
// or the system's known_hosts, which would make the gateway's behaviour depend on
// whoever set the box up.
SessionPtr new_session(const SshEndpoint& ep, const std::string& where) {
    SessionPtr ssh(ssh_new());
    if (!ssh) throw SshError(SshErrorKind::connect, where + ": ssh_new failed");
    const bool no = false;
    const int yes = 1;
    const unsigned int port = ep.port;
    const std::string known_hosts = ep.host_key.known_hosts_file.empty() ? "/dev/null" : ep.host_key.known_hosts_file;
    int verbosity = SSH_LOG_NOLOG;
    set_option(ssh.get(), SSH_OPTIONS_PROCESS_CONFIG, &no, where, "process_config");
    set_option(ssh.get(), SSH_OPTIONS_LOG_VERBOSITY, &verbosity, where, "log_verbosity");
    set_option(ssh.get(), SSH_OPTIONS_HOST, ep.host.c_str(), where, "host");
    set_option(ssh.get(), SSH_OPTIONS_PORT, &port, where, "port");
    if (!ep.auth.user.empty()) set_option(ssh.get(), SSH_OPTIONS_USER, ep.auth.user.c_str(), where, "user");
    set_option(ssh.get(), SSH_OPTIONS_KNOWNHOSTS, known_hosts.c_str(), where, "knownhosts");
    set_option(ssh.get(), SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null", where, "global_knownhosts");
    set_option(ssh.get(), SSH_OPTIONS_NODELAY, &yes, where, "nodelay");
    set_timeout(ssh.get(), ep.connect_timeout);
    return ssh;
}

std::string server_fingerprint(ssh_session ssh, const std::string& where) {
    ssh_key raw = nullptr;
    if (ssh_get_server_publickey(ssh, &raw) != SSH_OK)
        throw SshError(SshErrorKind::connect, where + ": no server host key: " + ssh_get_error(ssh));
    KeyPtr key(raw);
    unsigned char* hash = nullptr;
    size_t length = 0;
    if (ssh_get_publickey_hash(key.get(), SSH_PUBLICKEY_HASH_SHA256, &hash, &length) != SSH_OK)
        throw SshError(SshErrorKind::connect, where + ": cannot hash the server host key");
    char* text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length);
    ssh_clean_pubkey_hash(&hash);
    if (!text) throw SshError(SshErrorKind::connect, where + ": cannot format the host key fingerprint");
    std::string fingerprint = text;
    ssh_string_free_char(text);
    return fingerprint;
}

void check_host_key(ssh_session ssh, const SshEndpoint& ep, const std::string& fingerprint, const std::string& where,
                    Logger& logger, const std::string& log_name) {
    const HostKeyPolicy& policy = ep.host_key;
    const auto& pinned = policy.fingerprints;
    if (std::find(pinned.begin(), pinned.end(), fingerprint) != pinned.end()) return;

    if (!policy.known_hosts_file.empty()) {
        switch (ssh_session_is_known_server(ssh)) {
            case SSH_KNOWN_HOSTS_OK:
                return;
            case SSH_KNOWN_HOSTS_CHANGED:
            case SSH_KNOWN_HOSTS_OTHER:
                throw SshError(SshErrorKind::host_key_mismatch,
                               where + ": host key " + fingerprint + " differs from the one recorded in " +
                                   policy.known_hosts_file + " (possible man-in-the-middle, or the host was replaced)");
            case SSH_KNOWN_HOSTS_NOT_FOUND:
            case SSH_KNOWN_HOSTS_UNKNOWN:
                break;
            case SSH_KNOWN_HOSTS_ERROR:
                throw SshError(SshErrorKind::local_io,
                               where + ": cannot read " + policy.known_hosts_file + ": " + ssh_get_error(ssh));
        }
        // A pinned fingerprint that does not match is a refusal, not a first contact.
        if (policy.trust_on_first_use && pinned.empty()) {
            if (ssh_session_update_known_hosts(ssh) != SSH_OK)
                throw SshError(SshErrorKind::local_io,
                               where + ": cannot add the host key to " + policy.known_hosts_file + ": " +
                                   ssh_get_error(ssh));
            logger.warn("sftp", log_name + ": " + where + ": first contact, trusting host key " + fingerprint +
                                    " and recording it in " + policy.known_hosts_file);
            return;
        }
    }
    std::string why = pinned.empty() ? "" : "matches no pinned fingerprint";
    if (!policy.known_hosts_file.empty())
        why += std::string(why.empty() ? "" : " and ") + "is not in " + policy.known_hosts_file;
    if (why.empty()) why = "cannot be checked: no fingerprint pinned and no known_hosts file";
    throw SshError(SshErrorKind::host_key_unknown, where + ": host key " + fingerprint + " " + why);
}

// The key first, then the password (a meter may accept either).
void authenticate(ssh_session ssh, const SshAuth& auth, const std::string& where) {
    const std::string who = where + ": user '" + auth.user + "'";
    std::string tried;
    if (!auth.private_key_file.empty()) {
        ssh_key raw = nullptr;
        const char* passphrase = auth.key_passphrase.empty() ? nullptr : auth.key_passphrase.c_str();
        if (ssh_pki_import_privkey_file(auth.private_key_file.c_str(), passphrase, nullptr, nullptr, &raw) != SSH_OK)
            throw SshError(SshErrorKind::auth, who + ": cannot load private key " + auth.private_key_file +
                                                   " (missing, unreadable or wrong passphrase)");
        KeyPtr key(raw);
        const int rc = ssh_userauth_publickey(ssh, nullptr, key.get());
        if (rc == SSH_AUTH_SUCCESS) return;
        if (rc == SSH_AUTH_ERROR)
            throw SshError(SshErrorKind::connect, who + ": key authentication failed: " + ssh_get_error(ssh));
        tried = "key " + auth.private_key_file;
    }
    if (!auth.password.empty()) {
        const int rc = ssh_userauth_password(ssh, nullptr, auth.password.c_str());
        if (rc == SSH_AUTH_SUCCESS) return;
        // ssh_get_error never echoes the password, but keep our own wording anyway.
        if (rc == SSH_AUTH_ERROR) throw SshError(SshErrorKind::connect, who + ": password authentication failed");
        tried += std::string(tried.empty() ? "" : " and ") + "password";
    }
    if (tried.empty()) throw SshError(SshErrorKind::auth, who + ": no key or password configured");
    throw SshError(SshErrorKind::auth, who + ": server refused " + tried);
}

}  // namespace

SshConnection connect_ssh(const SshEndpoint& ep, const std::string& where, LinkWatchdog& watchdog, Logger& logger,
                          const std::string& log_name) {
    const auto started = std::chrono::steady_clock::now();
    SessionPtr ssh = new_session(ep, where);
    // In blocking mode ssh_connect honours SSH_OPTIONS_TIMEOUT for TCP and the handshake.
    if (ssh_connect(ssh.get()) != SSH_OK)
        throw SshError(SshErrorKind::connect, where + ": cannot connect: " + ssh_get_error(ssh.get()));

    // From here the watchdog holds host key check and authentication to what is left of
    // connect_timeout; the SFTP channel setup gets the same remainder (see SftpSession).
    watchdog.watch(ssh_get_fd(ssh.get()));
    const auto left = std::chrono::duration_cast<std::chrono::steady_clock::duration>(ep.connect_timeout) -
                      (std::chrono::steady_clock::now() - started);
    ArmedScope armed(watchdog, std::max<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(100)));
    try {
        SshConnection connection;
        connection.fingerprint = server_fingerprint(ssh.get(), where);
        check_host_key(ssh.get(), ep, connection.fingerprint, where, logger, log_name);
        authenticate(ssh.get(), ep.auth, where);
        set_timeout(ssh.get(), ep.io_timeout);
        connection.ssh = ssh.release();
        return connection;
    } catch (const SshError& e) {
        if (watchdog.fired())
            throw SshError(SshErrorKind::connect, where + ": connection setup timed out (connect_timeout " +
                                                      format_duration(ep.connect_timeout) + ")");
        throw;
    }
}

}  // namespace gridgate::files::detail
