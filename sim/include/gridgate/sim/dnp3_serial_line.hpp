#pragma once
// Several simulated DNP3 outstations on one serial line (a tty, one end of a socat pty
// pair, or a pty of metersim's own), told apart by link address: frames for addresses
// not on the line are ignored, broadcasts go to all. A partial frame is dropped after the
// meter's 1 s inter-character timeout. Replies are written as soon as they are made (the
// "slow" fault delays them); unlike the Modbus RTU bus there is no byte pacing, since
// DNP3 frames carry their own length and CRCs and masters do not time the characters.
// On a line shared with a Modbus RTU bus the bus's transmitter paces them like its own.
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "gridgate/core/log.hpp"
#include "gridgate/sim/dnp3_outstation.hpp"
#include "gridgate/sim/rtu_bus.hpp"
#include "gridgate/sim/serial_device.hpp"

namespace gridgate::sim {

struct Dnp3LineStats {
    std::uint64_t rx_bytes = 0;
    std::uint64_t frames = 0;         // good frames, any address
    std::uint64_t crc_errors = 0;     // header or body CRC wrong
    std::uint64_t other_address = 0;  // frames for no outstation here (or not from a master)
    std::uint64_t timeouts = 0;       // partial frames dropped after the inter-character timeout
    std::uint64_t tx_bytes = 0;
};

class Dnp3SerialLine {
public:
    // The outstations and logger must outlive the io_context's last handler.
    Dnp3SerialLine(boost::asio::io_context& io, SerialDevice device, std::vector<Dnp3Outstation*> outstations,
                   Logger& logger);
    // The outstations on the line of a Modbus RTU bus (RtuBus::share_line): the bus reads
    // the device and hands over the DNP3 frames, and sends the replies between its own.
    // Each holds the other weakly: either may be stopped or destroyed first.
    Dnp3SerialLine(boost::asio::io_context& io, RtuBus& bus, std::vector<Dnp3Outstation*> outstations,
                   Logger& logger);
    ~Dnp3SerialLine();
    Dnp3SerialLine(const Dnp3SerialLine&) = delete;
    Dnp3SerialLine& operator=(const Dnp3SerialLine&) = delete;

    const std::string& device() const;
    const Dnp3LineStats& stats() const;
    void stop();

    class State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace gridgate::sim
