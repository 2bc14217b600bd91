#pragma once
// A Modbus RTU master for one shared line (an RS-485 bus on a serial port, or a serial
// device server reached over TCP): the RtuMaster state machine on its own strand, over
// a ByteChannel. Implements ModbusClient, so MeterPoller runs on it unchanged.
//
// Behaviour in short (details in rtu_master.hpp, rtu_slave_health.hpp and
// rtu_request_queue.hpp): one transaction on the line at a time; t3.5 silence before
// each request and stale input dropped; replies accepted only with the right CRC,
// address, function code and length; priority, then round robin between slaves, then
// FIFO; a slave that keeps timing out is skipped with exponential backoff and probed
// again when the period ends. The line is opened at construction and re-opened (with
// backoff) when it fails or is lost; while an open has failed, reads fail fast with
// connect_failed.
//
// It is also a transport::LineAccess, so another protocol's master (DNP3 serial) can use
// the same line between Modbus transactions: a line request queues with the reads (its
// priority on the same scale, its station in the round robin as one more address that
// never mixes with slave addresses), and when its turn comes and the line has been quiet
// for the silence, the handler gets a lease on the bus's channel. No Modbus transaction
// starts until the lease is released, and the next one waits for the silence after the
// release. While the line cannot be opened, requests fail at once with line_down; stop()
// cancels queued ones and waits for a lease held to be released. See RTU.md.
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <string>

#include "gridgate/core/log.hpp"
#include "gridgate/modbus/client.hpp"
#include "gridgate/modbus/rtu_slave_health.hpp"
#include "gridgate/modbus/rtu_stats.hpp"
#include "gridgate/transport/byte_channel.hpp"
#include "gridgate/transport/line_access.hpp"
#include "gridgate/transport/serial_options.hpp"
#include "gridgate/transport/tcp_byte_channel.hpp"

namespace gridgate::modbus {

struct RtuBusOptions {
    std::string name = "rtu";  // line id, for logs and status
    // The serial line's speed and character size, for t1.5/t3.5 and wire times (for RTU
    // over TCP: the device server's serial side). make_serial_rtu_bus fills them in.
    unsigned baud = 9600;
    unsigned bits_per_character = 11;
    Duration silence{0};           // quiet time before each request; 0 = t3.5
    Duration frame_gap{0};         // quiet time that ends an unpredictable frame; 0 = t3.5
    bool strict_frame_gap = false; // drop even a plausible partial reply at the gap
    Duration turnaround_delay{0};  // extra quiet time after the last byte before sending
    SlaveHealthOptions health;     // dead-slave backoff
    Duration late_reply_guard{0};  // see RtuMasterOptions; 0 = the expired read's timeout
    Duration reopen_min = std::chrono::milliseconds(500);  // line re-open backoff
    Duration reopen_max = std::chrono::seconds(30);
};

class RtuBus final : public ModbusClient, public transport::LineAccess {
public:
    // Makes the channel on the bus's strand (channels need a strand executor).
    using ChannelFactory =
        std::function<std::unique_ptr<transport::ByteChannel>(const boost::asio::any_io_executor& strand)>;

    // Starts opening the line. The io_context behind `executor` and the logger must
    // outlive the bus. Timing uses the system's steady clock.
    RtuBus(boost::asio::any_io_executor executor, const ChannelFactory& make_channel, RtuBusOptions options,
           Logger& logger);
    // Safe at any time, but drops handlers not yet run; use stop() first to shut down
    // cleanly. The line is closed on the strand; a lease still held goes inert (its channel
    // fails every call, its release does nothing).
    ~RtuBus() override;
    RtuBus(const RtuBus&) = delete;
    RtuBus& operator=(const RtuBus&) = delete;

    // Unit id 0 (broadcast) is rejected (`rejected`): a broadcast is never answered; so
    // is a read that is not FC01..04 or whose count is 0 or over the protocol's limit.
    void submit(ReadCall call, ReadHandler handler) override;
    // Cancels queued reads and line requests; done runs once the transaction in flight
    // has ended and a lease held has been released.
    void stop(std::function<void()> done) override;
    // The strand of every read handler, grant handler and the lent channel.
    boost::asio::any_io_executor executor() const override;

    // --- transport::LineAccess
    void acquire(transport::LineRequest request, transport::LineGrantHandler handler) override;
    std::string line_description() const override;  // "<name> (<channel description>)"

    RtuBusStats stats() const;  // thread-safe snapshot
    const RtuBusOptions& options() const;
    std::string description() const;  // the channel's, e.g. "/dev/ttyUSB0 (...) 9600 8N1"

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

// A bus on a serial port: baud and character size come from `serial`; the name
// defaults to the port's path. Throws std::invalid_argument for bad serial settings.
std::unique_ptr<RtuBus> make_serial_rtu_bus(const boost::asio::any_io_executor& executor,
                                            const transport::SerialPortOptions& serial, RtuBusOptions options,
                                            Logger& logger);

// A bus behind a serial device server (RTU over TCP). Set options.baud to the server's
// serial speed, and options.frame_gap to cover network jitter (e.g. 20 ms).
std::unique_ptr<RtuBus> make_tcp_rtu_bus(const boost::asio::any_io_executor& executor,
                                         const transport::TcpChannelOptions& tcp, RtuBusOptions options,
                                         Logger& logger);

}  // namespace gridgate::modbus
