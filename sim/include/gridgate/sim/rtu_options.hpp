#pragma once
// How a simulated RTU bus behaves on its line: the serial framing, the meter's reply
// delays (reference/meter-modbus.md §3, "RS-485 / RTS timing") and how strictly
// requests are framed. Plain data, shared by the command line and the bus runtime.
#include <chrono>

#include "gridgate/core/time.hpp"
#include "gridgate/sim/line_timing.hpp"

namespace gridgate::sim {

struct RtuBusOptions {
    LineSettings line;
    // The meter's processing time, after the t3.5 that ends the request ("TX Turnaround
    // Delay": before RTS is raised).
    Duration turnaround = std::chrono::milliseconds(2);
    Duration tx_start_delay{0};  // RTS raised to first character (manual: 40 ms suggested on RS-485)
    Duration tx_end_delay{0};    // last character to RTS dropped: the line stays busy
    bool strict_t15 = false;     // discard frames with a gap over t1.5 (default: tolerate, like the meter)
    LineDuration chunk_period = default_chunk_period;
};

}  // namespace gridgate::sim
