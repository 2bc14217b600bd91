#pragma once
// The serial line of a simulated RTU bus: a tty opened in raw mode with the bus's line
// settings (a real port, or one end of a `socat -d -d pty,raw,echo=0 pty,raw,echo=0`
// pair), or a pseudo-terminal metersim makes itself (--rtu-pty) whose slave end the
// master opens. The one place where termios and pty return codes become exceptions.
#include <string>
#include <utility>

#include "gridgate/sim/line_timing.hpp"

namespace gridgate::sim {

class SerialDevice {
public:
    // Opens `path` non-blocking, without making it the controlling terminal, in raw mode
    // (no echo, no line editing, no flow control, 8 data bits) at the given rate,
    // parity and stop bits, and discards anything already queued. Throws
    // std::runtime_error with the path and the reason.
    static SerialDevice open(const std::string& path, const LineSettings& line);

    // A new pseudo-terminal. metersim reads and writes its master end; path() is the
    // slave end (/dev/pts/N) for the master to open. The slave end is also held open
    // here, in raw mode, so that a master may open and close it as it likes without
    // the line hanging up (reads on a pty master fail once no slave is open).
    static SerialDevice open_pty(const LineSettings& line);

    SerialDevice(SerialDevice&& other) noexcept;
    SerialDevice& operator=(SerialDevice&& other) noexcept;
    SerialDevice(const SerialDevice&) = delete;
    SerialDevice& operator=(const SerialDevice&) = delete;
    ~SerialDevice();

    // The descriptor metersim reads and writes (-1 once released).
    int fd() const { return fd_; }
    // Hands the descriptor over to its new owner (an Asio descriptor), who closes it.
    int release_fd();
    // The path a master opens.
    const std::string& path() const { return path_; }

private:
    SerialDevice(int fd, int held_open_fd, std::string path)
        : fd_(fd), held_open_fd_(held_open_fd), path_(std::move(path)) {}
    void close();

    int fd_ = -1;
    int held_open_fd_ = -1;  // the pty's slave end, for open_pty
    std::string path_;
};

}  // namespace gridgate::sim
