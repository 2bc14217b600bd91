#pragma once
// Polls one Modbus meter: runs its planned block reads on a ModbusClient (the TCP client
// or an RTU bus) and turns the answers into readings. One poll = all blocks of the
// meter, in order.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/reading.hpp"
#include "gridgate/modbus/client.hpp"
#include "gridgate/modbus/points.hpp"
#include "gridgate/modbus/tcp_client.hpp"  // (kept for includers that relied on it)

namespace gridgate::modbus {

struct MeterOptions {
    std::string meter_id;
    std::uint8_t unit_id = 1;
    Duration response_timeout = std::chrono::seconds(1);
    PlanOptions plan;
    Source source = Source::modbus_tcp;  // modbus_rtu for meters on an RTU bus
    // Order of service on a shared RTU line (high first); every block read of the meter
    // carries it. Ignored by the TCP client.
    Priority priority = Priority::normal;
};

struct PollOutcome {
    std::vector<Reading> readings;   // decoded values of the blocks that succeeded
    unsigned blocks_ok = 0;
    unsigned blocks_failed = 0;
    std::string last_error;          // empty when every block succeeded
};

class MeterPoller {
public:
    MeterPoller(ModbusClient& client, const Clock& clock, MeterOptions options, std::vector<PointDef> points);

    // Starts one poll; handler runs on the client's strand when all blocks are done.
    // Each reading is stamped with the wall time its block's reply arrived. A block that
    // fails with connect_failed, backed_off or rejected ends the poll: the remaining
    // blocks count as failed without being sent (they would fail the same way). A
    // non-finite float is reported as 0 with quality invalid.
    // The poller must outlive the polls it starts.
    void poll(std::function<void(PollOutcome)> handler);

    const MeterOptions& options() const { return options_; }
    const std::vector<BlockRead>& plan() const { return plan_; }
    const std::vector<PointDef>& points() const { return points_; }

private:
    ModbusClient& client_;
    const Clock& clock_;
    MeterOptions options_;
    std::vector<PointDef> points_;
    std::vector<BlockRead> plan_;
};

}  // namespace gridgate::modbus
