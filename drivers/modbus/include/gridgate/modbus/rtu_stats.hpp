#pragma once
// Per-line statistics of an RTU bus, for `gridgatectl status` and the MQTT status
// message. A snapshot; counters only grow.
#include <cstdint>
#include <vector>

#include "gridgate/core/time.hpp"

namespace gridgate::modbus {

struct RtuSlaveStats {
    std::uint8_t unit_id = 0;
    std::uint64_t transactions = 0;      // requests put on the line
    std::uint64_t replies = 0;           // valid replies (exceptions included)
    std::uint64_t exceptions = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t backed_off_skips = 0;  // reads failed fast while backed off
    unsigned consecutive_timeouts = 0;
    bool backed_off = false;
    Duration backoff_remaining{};        // 0 unless backed off
    Duration busy_time{};                // line time its transactions took
};

struct RtuBusStats {
    std::uint64_t requests = 0;           // reads submitted
    std::uint64_t transactions = 0;       // requests put on the line
    std::uint64_t replies = 0;            // valid replies (exceptions included)
    std::uint64_t exceptions = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t crc_errors = 0;         // replies from the polled slave with a bad CRC
    std::uint64_t wrong_address = 0;      // valid frames from an address not polled
    std::uint64_t unexpected_frames = 0;  // valid frames from the polled slave that do not
                                          // answer the request (stale replies)
    std::uint64_t garbage_bytes = 0;      // bytes dropped outside any valid frame
    std::uint64_t backed_off_skips = 0;
    std::uint64_t rejected = 0;           // unsendable reads (broadcast address)
    std::uint64_t link_opens = 0;         // successful (re)opens of the port / connection
    std::uint64_t link_failures = 0;      // failed opens
    std::uint64_t link_losses = 0;        // open line lost (read/write error)
    std::uint64_t leases = 0;             // turns the line was lent to another master (LineAccess)
    bool link_up = false;
    std::size_t queued = 0;               // reads and line turns waiting for the line
    Duration busy_time{};                 // time on the wire + waiting for replies + lent
    Duration lease_time{};                // of which lent to other masters
    Duration elapsed{};                   // since the bus was created
    std::vector<RtuSlaveStats> slaves;    // every address seen, ascending

    // busy_time / elapsed, 0..1.
    double utilisation() const {
        return elapsed.count() > 0 ? static_cast<double>(busy_time.count()) / static_cast<double>(elapsed.count())
                                   : 0.0;
    }
};

}  // namespace gridgate::modbus
