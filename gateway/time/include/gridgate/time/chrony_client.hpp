#pragma once
// Asks a running chronyd how the system clock is doing (the TRACKING command), over
// chronyd's command socket: its Unix datagram socket or its UDP command port.
//
// Unix socket: chronyd answers to the sender's socket path, so each query binds its own
// socket in a fresh directory (mkdtemp under `reply_dir`), readable by chronyd after it
// dropped root (directory 0711, socket 0666; the random directory name keeps it private),
// and removes both afterwards. Writing to chronyd's socket needs write access to it: as
// installed by Debian that means root or the _chrony user.
// UDP: monitoring commands such as TRACKING are allowed from localhost by default
// (`cmdallow`), from other hosts only if chronyd's configuration allows them.
#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>

#include "gridgate/core/time.hpp"
#include "gridgate/time/chrony_protocol.hpp"

namespace gridgate::timesync {

struct ChronyEndpoint {
    enum class Kind { unix_socket, udp };
    Kind kind = Kind::unix_socket;
    std::string socket_path = "/run/chrony/chronyd.sock";  // unix_socket
    std::string host = "127.0.0.1";                        // udp: numeric address or name
    std::uint16_t port = 323;                              // udp: chronyd's cmdport
    // Where the per-query reply directory is made; "" = $RUNTIME_DIRECTORY (systemd's
    // RuntimeDirectory=), else $TMPDIR, else /tmp.
    std::string reply_dir;

    static ChronyEndpoint unix_socket(std::string path = "/run/chrony/chronyd.sock");
    static ChronyEndpoint udp(std::string host = "127.0.0.1", std::uint16_t port = 323);
    // "/path/to.sock" or "unix:/path" -> Unix socket; "host", "host:port", "[v6]:port" ->
    // UDP. Throws std::invalid_argument on anything else (empty, bad port).
    static ChronyEndpoint parse(std::string_view text);
    std::string to_string() const;  // "unix:/run/chrony/chronyd.sock", "udp:127.0.0.1:323"

    friend bool operator==(const ChronyEndpoint&, const ChronyEndpoint&) = default;
};

class ChronyError : public std::runtime_error {
public:
    enum class Kind {
        no_answer,  // nothing listening, or silence after the retry
        refused,    // chronyd (or the socket's permissions) said no: retrying will not help
        malformed,  // an answer that is not a TRACKING reply we can read
        cancelled,  // the stop token fired
    };
    ChronyError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
    Kind kind() const { return kind_; }

private:
    Kind kind_;
};
std::string_view to_string(ChronyError::Kind k);

class ChronyClient {
public:
    explicit ChronyClient(ChronyEndpoint endpoint);

    // One TRACKING exchange: sends, waits up to `timeout` for the answer, resends once
    // (same sequence, attempt 1) and waits `timeout` again, so at most twice `timeout`.
    // Replies with another sequence (a late answer to an earlier query) are skipped.
    // Returns promptly (within ~20 ms) once `stop` is requested. Throws ChronyError.
    ChronyTracking tracking(Duration timeout, std::stop_token stop = {});

    const ChronyEndpoint& endpoint() const { return endpoint_; }

private:
    ChronyEndpoint endpoint_;
    std::atomic<std::uint32_t> next_sequence_;
};

}  // namespace gridgate::timesync
