// Opening chronyd's command socket: the one place of gg_time that talks to the C library.
#include "chrony_socket.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace gridgate::timesync::detail {

namespace {

using Kind = ChronyError::Kind;

[[noreturn]] void fail(Kind kind, const std::string& what, int err) {
    throw ChronyError(kind, what + ": " + std::strerror(err));
}

// Errors meaning "chronyd is not there" versus "chronyd (or the file system) said no".
Kind classify(int err) {
    return err == EACCES || err == EPERM ? Kind::refused : Kind::no_answer;
}

bool fill_unix_address(const std::string& path, sockaddr_un& addr) {
    if (path.empty() || path.size() >= sizeof(addr.sun_path)) return false;
    std::memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), path.size());
    return true;
}

std::filesystem::path reply_base(const ChronyEndpoint& endpoint) {
    if (!endpoint.reply_dir.empty()) return endpoint.reply_dir;
    for (const char* var : {"RUNTIME_DIRECTORY", "TMPDIR"}) {
        // systemd may list several runtime directories separated by ':'; take the first.
        if (const char* value = std::getenv(var); value != nullptr && *value != '\0') {
            const std::string text(value);
            return text.substr(0, text.find(':'));
        }
    }
    return "/tmp";
}

}  // namespace

ChronySocket::ChronySocket(const ChronyEndpoint& endpoint) {
    if (endpoint.kind == ChronyEndpoint::Kind::unix_socket)
        open_unix(endpoint);
    else
        open_udp(endpoint);
}

ChronySocket::Owned::~Owned() {
    if (fd >= 0) ::close(fd);
    std::error_code ignored;
    if (!reply_path.empty()) std::filesystem::remove(reply_path, ignored);
    if (!reply_dir.empty()) std::filesystem::remove(reply_dir, ignored);
}

void ChronySocket::open_unix(const ChronyEndpoint& endpoint) {
    sockaddr_un server{};
    if (!fill_unix_address(endpoint.socket_path, server))
        throw ChronyError(Kind::refused, "chronyd socket path unusable: '" + endpoint.socket_path + "'");

    std::string dir_template = (reply_base(endpoint) / "gg-chrony-XXXXXX").string();
    std::vector<char> buffer(dir_template.begin(), dir_template.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr)
        fail(Kind::refused, "cannot make a reply directory from " + dir_template, errno);
    owned_.reply_dir = buffer.data();
    // chronyd runs as _chrony once started: it must reach the socket (x on the directory,
    // w on the socket) but nobody needs to list the directory.
    ::chmod(owned_.reply_dir.c_str(), 0711);
    owned_.reply_path = owned_.reply_dir / "reply.sock";

    sockaddr_un local{};
    if (!fill_unix_address(owned_.reply_path.string(), local))
        throw ChronyError(Kind::refused, "reply socket path too long: " + owned_.reply_path.string());
    owned_.fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (owned_.fd < 0) fail(Kind::refused, "socket(AF_UNIX)", errno);
    if (::bind(owned_.fd, reinterpret_cast<const sockaddr*>(&local), sizeof(local)) != 0)
        fail(Kind::refused, "cannot bind " + owned_.reply_path.string(), errno);
    ::chmod(owned_.reply_path.c_str(), 0666);
    if (::connect(owned_.fd, reinterpret_cast<const sockaddr*>(&server), sizeof(server)) != 0) {
        const int err = errno;
        fail(classify(err), "cannot reach chronyd at " + endpoint.socket_path, err);
    }
}

void ChronySocket::open_udp(const ChronyEndpoint& endpoint) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(endpoint.port);
    if (const int rc = ::getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &found); rc != 0)
        throw ChronyError(Kind::no_answer,
                          "cannot resolve chronyd host " + endpoint.host + ": " + ::gai_strerror(rc));
    int err = 0;
    for (const addrinfo* a = found; a != nullptr && owned_.fd < 0; a = a->ai_next) {
        owned_.fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (owned_.fd < 0) {
            err = errno;
            continue;
        }
        // Connected, so the kernel drops datagrams from anyone else and reports ICMP
        // "port unreachable" (chronyd not running) as ECONNREFUSED.
        if (::connect(owned_.fd, a->ai_addr, a->ai_addrlen) != 0) {
            err = errno;
            ::close(owned_.fd);
            owned_.fd = -1;
        }
    }
    ::freeaddrinfo(found);
    if (owned_.fd < 0) fail(classify(err), "cannot reach chronyd at " + endpoint.to_string(), err);
}

}  // namespace gridgate::timesync::detail
