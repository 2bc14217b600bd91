#pragma once
// metersim as the benchmark's RTU slave: started on the slave end of the bench's line
// with `--rtu DEVICE --slaves ... --baud ... --turnaround ...`, stopped by pid.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace gridgate::bench {

class Metersim {
public:
    // Starts it and waits for its "bus <device>" line. Throws std::runtime_error if it
    // does not come.
    Metersim(const std::string& binary, const std::string& device, unsigned baud, std::chrono::microseconds turnaround,
             const std::vector<std::uint8_t>& slaves);
    ~Metersim();  // SIGTERM, then reap
    Metersim(const Metersim&) = delete;
    Metersim& operator=(const Metersim&) = delete;

private:
    pid_t pid_ = -1;
};

}  // namespace gridgate::bench
