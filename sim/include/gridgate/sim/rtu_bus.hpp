#pragma once
// One simulated RS-485 bus: several JEMStar II slaves on one serial device (a pty end
// or a real tty). Requests are framed by RtuFrameReceiver and handed to the slave they
// address; requests for addresses not on the bus get silence, broadcasts (address 0)
// are executed by every slave and never answered. Replies go out after the line's
// t3.5 silence, the turnaround and the TX start delay (plus any "slow" fault delay),
// paced byte by byte to the baud rate on a steady clock, one frame at a time; after a
// frame the TX end delay and t3.5 pass before the next one starts.
//
// The line can also carry DNP3 outstations (share_line()), as a real RS-485 line with
// both kinds of meter does.
//
// Everything runs on the io_context's thread with Asio timers: a slow slave never
// blocks its neighbours, other buses or the TCP meters.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "gridgate/core/log.hpp"
#include "gridgate/sim/bus_info.hpp"
#include "gridgate/sim/rtu_options.hpp"
#include "gridgate/sim/serial_device.hpp"
#include "gridgate/sim/served_log.hpp"
#include "gridgate/sim/simulated_meter.hpp"

namespace gridgate::sim {

class RtuBus {
public:
    // Serves `slaves` (each answers its device address) on `device` and keeps `info`'s
    // counters. The meters, info, log (may be null) and logger must outlive the
    // io_context's last handler.
    RtuBus(boost::asio::io_context& io, SerialDevice device, std::vector<SimulatedMeter*> slaves, BusInfo& info,
           const RtuBusOptions& options, ServedLog* log, Logger& logger);
    ~RtuBus();
    RtuBus(const RtuBus&) = delete;
    RtuBus& operator=(const RtuBus&) = delete;

    // Stops reading and writing (replies not yet sent are dropped) and closes the device.
    void stop();

    const std::string& device() const;

    // Puts DNP3 outstations on this bus's line too (metersim --dnp3-on-rtu-line): from
    // now on the bytes of DNP3 link frames (MixedLineSplitter) go to `receive` rather than
    // to the Modbus receiver, and the returned sender queues DNP3 frames on the bus's own
    // transmitter, so they are paced like the replies and never start inside one. A frame
    // is sent no sooner than `not_before`; frames with the same time keep their order.
    // Call once, before the io_context runs.
    using GuestReceive = std::function<void(std::span<const std::uint8_t>)>;
    using GuestSend = std::function<void(SteadyTime not_before, std::vector<std::uint8_t> bytes)>;
    GuestSend share_line(GuestReceive receive);

    class State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace gridgate::sim
