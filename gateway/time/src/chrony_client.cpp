// One TRACKING exchange with chronyd: send, wait, resend once, match the sequence.
#include "gridgate/time/chrony_client.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <random>

#include "chrony_socket.hpp"

namespace gridgate::timesync {

namespace {

using Kind = ChronyError::Kind;
using std::chrono::steady_clock;

// The stop token is checked at least this often while waiting for an answer.
constexpr auto stop_check_interval = std::chrono::milliseconds(20);

std::uint32_t random_sequence() {
    std::random_device rd;
    return static_cast<std::uint32_t>(rd());
}

void send_request(int fd, std::uint32_t sequence, std::uint16_t attempt) {
    const auto request = encode_tracking_request(sequence, attempt);
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
        const int err = errno;
        const Kind kind = err == EACCES || err == EPERM ? Kind::refused : Kind::no_answer;
        throw ChronyError(kind, std::string("cannot send to chronyd: ") + std::strerror(err));
    }
}

// Waits until `deadline` for the reply to `sequence`. nullopt on timeout.
std::optional<ChronyTracking> await_reply(int fd, std::uint32_t sequence,
                                          steady_clock::time_point deadline,
                                          const std::stop_token& stop) {
    std::array<std::byte, 1024> buffer{};
    while (true) {
        if (stop.stop_requested()) throw ChronyError(Kind::cancelled, "chronyd query cancelled");
        const auto now = steady_clock::now();
        if (now >= deadline) return std::nullopt;
        const auto slice = std::min<steady_clock::duration>(deadline - now, stop_check_interval);
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(slice).count()));
        if (ready < 0 && errno != EINTR)
            throw ChronyError(Kind::no_answer, std::string("poll: ") + std::strerror(errno));
        if (ready <= 0) continue;

        const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            // UDP: ICMP port unreachable, nobody listens on chronyd's command port.
            throw ChronyError(Kind::no_answer, std::string("chronyd not answering: ") + std::strerror(errno));
        }
        auto reply = parse_tracking_reply(std::span(buffer.data(), static_cast<std::size_t>(n)), sequence);
        switch (reply.error) {
        case ReplyError::none:
            return std::move(reply.tracking);
        case ReplyError::wrong_sequence:  // late answer to an earlier query: not ours now
            continue;
        case ReplyError::error_status:
        case ReplyError::wrong_version:  // chronyd speaks another protocol: it will not change
            throw ChronyError(Kind::refused, "chronyd refused TRACKING: " + reply.detail);
        default:
            throw ChronyError(Kind::malformed, "unreadable reply from chronyd: " + reply.detail);
        }
    }
}

std::uint16_t parse_port(std::string_view text) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535)
        throw std::invalid_argument("bad chronyd port '" + std::string(text) + "'");
    return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string_view to_string(ChronyError::Kind k) {
    switch (k) {
    case Kind::no_answer: return "no answer";
    case Kind::refused: return "refused";
    case Kind::malformed: return "malformed";
    case Kind::cancelled: return "cancelled";
    }
    return "?";
}

ChronyEndpoint ChronyEndpoint::unix_socket(std::string path) {
    ChronyEndpoint e;
    e.kind = Kind::unix_socket;
    e.socket_path = std::move(path);
    return e;
}

ChronyEndpoint ChronyEndpoint::udp(std::string host, std::uint16_t port) {
    ChronyEndpoint e;
    e.kind = Kind::udp;
    e.host = std::move(host);
    e.port = port;
    return e;
}

ChronyEndpoint ChronyEndpoint::parse(std::string_view text) {
    if (text.starts_with("unix:")) text.remove_prefix(5);
    else if (text.starts_with("udp:")) {
        text.remove_prefix(4);
        if (text.starts_with('/')) throw std::invalid_argument("udp: needs host[:port]");
    }
    if (text.empty()) throw std::invalid_argument("empty chronyd endpoint");
    if (text.starts_with('/')) return unix_socket(std::string(text));
    if (text.starts_with('[')) {  // [v6]:port or [v6]
        const auto close = text.find(']');
        if (close == std::string_view::npos) throw std::invalid_argument("missing ']' in chronyd endpoint");
        const auto rest = text.substr(close + 1);
        if (!rest.empty() && !rest.starts_with(':')) throw std::invalid_argument("junk after ']'");
        return udp(std::string(text.substr(1, close - 1)), rest.empty() ? 323 : parse_port(rest.substr(1)));
    }
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return udp(std::string(text));
    if (text.find(':', colon + 1) != std::string_view::npos) return udp(std::string(text));  // bare IPv6
    return udp(std::string(text.substr(0, colon)), parse_port(text.substr(colon + 1)));
}

std::string ChronyEndpoint::to_string() const {
    if (kind == Kind::unix_socket) return "unix:" + socket_path;
    const bool v6 = host.find(':') != std::string::npos;
    return "udp:" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

ChronyClient::ChronyClient(ChronyEndpoint endpoint)
    : endpoint_(std::move(endpoint)), next_sequence_(random_sequence()) {}

ChronyTracking ChronyClient::tracking(Duration timeout, std::stop_token stop) {
    const std::uint32_t sequence = next_sequence_.fetch_add(1);
    detail::ChronySocket socket(endpoint_);
    for (std::uint16_t attempt = 0; attempt < 2; ++attempt) {
        send_request(socket.fd(), sequence, attempt);
        const auto deadline = steady_clock::now() + timeout;
        if (auto reply = await_reply(socket.fd(), sequence, deadline, stop)) return std::move(*reply);
    }
    throw ChronyError(Kind::no_answer, "no answer from chronyd at " + endpoint_.to_string() +
                                           " after 2 attempts of " + format_duration(timeout));
}

}  // namespace gridgate::timesync
