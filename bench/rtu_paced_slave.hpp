#pragma once
// The benchmark's own RTU slave (used unless metersim is asked for): answers FC03/FC04
// reads for its addresses with register i = address + i, timed like a real meter on a
// real line, with the same model as metersim's: the first reply character starts
// t3.5 + turnaround after the last request byte arrived, and reply byte k is written
// when its stop bit would be out (start + (k+1) characters). It records how late its
// last bytes went out against that schedule.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gridgate::bench {

struct PacedSlaveTiming {
    std::chrono::nanoseconds character{};
    std::chrono::nanoseconds t3_5{};
    std::chrono::nanoseconds turnaround{};
};

class PacedSlave {
public:
    PacedSlave(const std::string& device, std::vector<std::uint8_t> units, PacedSlaveTiming timing);
    ~PacedSlave();
    PacedSlave(const PacedSlave&) = delete;
    PacedSlave& operator=(const PacedSlave&) = delete;

    // Lateness (µs) of each reply's last byte against its schedule, since the last reset.
    std::vector<double> lateness() const;
    void reset_measurements();

private:
    void run();
    void answer(const std::vector<std::byte>& reply, std::chrono::steady_clock::time_point request_end);

    int fd_ = -1;
    int stop_pipe_[2] = {-1, -1};
    std::vector<std::uint8_t> units_;
    PacedSlaveTiming timing_;
    mutable std::mutex mutex_;
    std::vector<double> lateness_;
    std::thread thread_;
};

}  // namespace gridgate::bench
