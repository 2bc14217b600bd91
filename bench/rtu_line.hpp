#pragma once
// A simulated RS-485 line for the RTU bus benchmark, made of two ptys and a relay
// thread. The gateway's bus opens master_path(), the slave(s) open slave_path().
//
// A pty carries bytes instantly whatever its baud rate, so the relay gives the master's
// bytes their wire time: what the master wrote reaches the slave side, in one piece, when
// its last stop bit would have left a real line (back-to-back characters of `character`
// each). Slaves pace their own
// replies (metersim does, and so does the bench's own paced slave), so those bytes pass
// straight through. The relay also measures the master's reaction: the time from the
// last reply byte it handed to the master to the first byte of the master's next
// request (the master's t3.5 silence plus its own overhead and two pty hops).
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gridgate::bench {

class RtuLine {
public:
    explicit RtuLine(std::chrono::nanoseconds character);
    ~RtuLine();
    RtuLine(const RtuLine&) = delete;
    RtuLine& operator=(const RtuLine&) = delete;

    const std::string& master_path() const { return master_path_; }
    const std::string& slave_path() const { return slave_path_; }

    // Reaction times (µs) measured since the last reset.
    std::vector<double> reactions() const;
    void reset_measurements();

private:
    void run();

    std::chrono::nanoseconds character_;
    int master_fd_ = -1, master_peer_ = -1;  // pty the bus opens (we hold both sides)
    int slave_fd_ = -1, slave_peer_ = -1;    // pty the slaves open
    int stop_pipe_[2] = {-1, -1};
    std::string master_path_, slave_path_;
    mutable std::mutex mutex_;
    std::vector<double> reactions_;
    std::thread thread_;
};

}  // namespace gridgate::bench
