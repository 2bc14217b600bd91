#pragma once
// What the control socket's `stats` reports about an RTU bus: where it is, how it is
// set up and what crossed it. Owned by the MeterFleet next to the meters; the bus
// runtime (RtuBus) keeps the counters up to date on the io thread.
#include <cstdint>
#include <string>
#include <vector>

#include "gridgate/sim/line_timing.hpp"

namespace gridgate::sim {

struct BusStats {
    // receive side
    std::uint64_t rx_bytes = 0;        // every byte read from the line
    std::uint64_t frames = 0;          // well-formed request frames, any address
    std::uint64_t garbage_bytes = 0;   // bytes skipped while resynchronising
    std::uint64_t broken_frames = 0;   // frames discarded for a gap over t1.5 (strict mode)
    std::uint64_t other_address = 0;   // frames for addresses not on this bus: silence
    std::uint64_t broadcasts = 0;      // frames to address 0: executed, never answered
    // transmit side
    std::uint64_t replies = 0;           // frames put on the line (replies, garbage and noise bursts)
    std::uint64_t tx_bytes = 0;          // bytes written
    std::uint64_t tx_dropped_bytes = 0;  // bytes the device would not take (nobody reading)
    // Worst lateness against the schedule (request end + t3.5 + delays, then one
    // character per byte) of a frame's first byte, which measures the simulator's
    // reaction time, and of its last byte, which measures the pacing.
    std::uint64_t tx_start_late_max_us = 0;
    std::uint64_t tx_late_max_us = 0;
};

struct BusInfo {
    std::string device;  // the path a master opens (the pty's slave end with --rtu-pty)
    LineSettings line;
    std::vector<std::uint8_t> slaves;  // addresses hosted on the bus
    BusStats stats;
};

}  // namespace gridgate::sim
