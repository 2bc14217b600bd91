#pragma once
// A pseudo-terminal pair opened in the test: the SerialPort under test opens the slave
// side by path, the test plays the far end of the line on the master fd.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace gridgate::transport::test {

class PtyPair {
public:
    PtyPair() {
        char name[128] = {};
        if (::openpty(&master_, &slave_, name, nullptr, nullptr) != 0) throw std::runtime_error("openpty failed");
        path_ = name;
    }
    ~PtyPair() {
        ::close(master_);
        ::close(slave_);
    }
    PtyPair(const PtyPair&) = delete;
    PtyPair& operator=(const PtyPair&) = delete;

    const std::string& path() const { return path_; }
    int slave_fd() const { return slave_; }  // a second handle on the port's tty

    void write(const std::vector<std::byte>& bytes) const {
        if (::write(master_, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()))
            throw std::runtime_error("pty write failed");
    }

    // Reads what the port sent, until `count` bytes came or `timeout` passed.
    std::vector<std::byte> read(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(5)) const {
        std::vector<std::byte> out;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
            pollfd p{master_, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) continue;
            std::byte buf[256];
            const ssize_t n = ::read(master_, buf, sizeof buf);
            if (n > 0) out.insert(out.end(), buf, buf + n);
        }
        return out;
    }

    // Bytes waiting in the port's input queue.
    int input_pending() const {
        int n = 0;
        ::ioctl(slave_, FIONREAD, &n);
        return n;
    }

private:
    int master_ = -1;
    int slave_ = -1;
    std::string path_;
};

}  // namespace gridgate::transport::test
