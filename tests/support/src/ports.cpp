#include "gridgate/testing/ports.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace gridgate::testing {

namespace {

sockaddr_in loopback_address(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

// Owns a socket descriptor for the duration of one helper call.
class Socket {
public:
    Socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        if (fd_ < 0) throw std::runtime_error("socket() failed");
    }
    ~Socket() { ::close(fd_); }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int fd() const { return fd_; }

private:
    int fd_;
};

}  // namespace

std::uint16_t free_loopback_port() {
    Socket s;
    sockaddr_in addr = loopback_address(0);
    if (::bind(s.fd(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::runtime_error("bind(127.0.0.1:0) failed");
    socklen_t len = sizeof addr;
    if (::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        throw std::runtime_error("getsockname failed");
    return ntohs(addr.sin_port);
}

bool loopback_port_accepts(std::uint16_t port) {
    Socket s;
    sockaddr_in addr = loopback_address(port);
    return ::connect(s.fd(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

}  // namespace gridgate::testing
