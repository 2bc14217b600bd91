#include "gridgate/sim/serial_device.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace gridgate::sim {

namespace {

[[noreturn]] void fail(const std::string& what, int error) {
    throw std::runtime_error(what + ": " + std::strerror(error));
}

speed_t speed_for(std::uint32_t baud) {
    switch (baud) {
        case 1200: return B1200;
        case 2400: return B2400;
        case 4800: return B4800;
        case 9600: return B9600;
        case 19200: return B19200;
        case 38400: return B38400;
        case 57600: return B57600;
        case 115200: return B115200;
        default: throw std::runtime_error("unsupported baud rate " + std::to_string(baud));
    }
}

// Raw mode with the bus's framing; on a pty the rate and parity are only recorded,
// which is why metersim paces its own output.
void configure(int fd, const std::string& path, const LineSettings& line) {
    termios tio{};
    if (::tcgetattr(fd, &tio) != 0) fail("serial device '" + path + "': not a terminal", errno);
    ::cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
    tio.c_cflag |= CS8;
    if (line.parity != Parity::none) tio.c_cflag |= PARENB;
    if (line.parity == Parity::odd) tio.c_cflag |= PARODD;
    if (line.stop_bits == 2) tio.c_cflag |= CSTOPB;
    tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    const speed_t speed = speed_for(line.baud);
    if (::cfsetispeed(&tio, speed) != 0 || ::cfsetospeed(&tio, speed) != 0)
        fail("serial device '" + path + "': cannot set " + std::to_string(line.baud) + " baud", errno);
    if (::tcsetattr(fd, TCSANOW, &tio) != 0) fail("serial device '" + path + "': cannot configure", errno);
    ::tcflush(fd, TCIOFLUSH);
}

}  // namespace

SerialDevice SerialDevice::open(const std::string& path, const LineSettings& line) {
    const int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) fail("cannot open serial device '" + path + "'", errno);
    SerialDevice device(fd, -1, path);  // closes fd if configure throws
    configure(fd, path, line);
    return device;
}

SerialDevice SerialDevice::open_pty(const LineSettings& line) {
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) fail("cannot create a pty", errno);
    SerialDevice device(master, -1, {});
    if (::grantpt(master) != 0 || ::unlockpt(master) != 0) fail("cannot unlock the pty", errno);
    std::array<char, 128> name{};
    if (::ptsname_r(master, name.data(), name.size()) != 0) fail("cannot name the pty", errno);
    device.path_ = name.data();
    device.held_open_fd_ = ::open(name.data(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (device.held_open_fd_ < 0) fail("cannot open pty '" + device.path_ + "'", errno);
    configure(device.held_open_fd_, device.path_, line);
    const int flags = ::fcntl(master, F_GETFL);
    if (flags < 0 || ::fcntl(master, F_SETFL, flags | O_NONBLOCK) != 0) fail("pty: cannot set non-blocking", errno);
    return device;
}

SerialDevice::SerialDevice(SerialDevice&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      held_open_fd_(std::exchange(other.held_open_fd_, -1)),
      path_(std::move(other.path_)) {}

SerialDevice& SerialDevice::operator=(SerialDevice&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        held_open_fd_ = std::exchange(other.held_open_fd_, -1);
        path_ = std::move(other.path_);
    }
    return *this;
}

SerialDevice::~SerialDevice() { close(); }

int SerialDevice::release_fd() { return std::exchange(fd_, -1); }

void SerialDevice::close() {
    if (fd_ >= 0) ::close(fd_);
    if (held_open_fd_ >= 0) ::close(held_open_fd_);
    fd_ = held_open_fd_ = -1;
}

}  // namespace gridgate::sim
