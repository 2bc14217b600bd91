#pragma once
// The transmit side of a simulated RTU bus: frames waiting for their time, sent one at
// a time and paced to the baud rate. Each frame has a time before which it may not
// start (the request's end plus the silences and delays); the line also stays busy
// for the TX end delay and t3.5 after each frame, so two frames never run together
// even when a late reply comes due while another slave is talking. Writes are plain
// non-blocking write(2)s at the paced times; a device nobody reads just loses bytes.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gridgate/core/log.hpp"
#include "gridgate/sim/bus_info.hpp"
#include "gridgate/sim/rtu_bus.hpp"
#include "gridgate/sim/served_log.hpp"
#include "gridgate/sim/simulated_meter.hpp"

namespace gridgate::sim {

struct OutgoingFrame {
    std::vector<std::byte> bytes;
    SimulatedMeter* meter = nullptr;   // who sends it, for its counters and trace
    std::uint8_t address = 0;          // the request's address, for the served log
    std::optional<ServedRead> served;  // logged when the frame starts
    Reply::Framing framing = Reply::Framing::normal;
    bool noise = false;                // a noise burst ahead of a reply
    bool guest = false;                // a DNP3 frame on a shared line: not a Modbus reply
};

class RtuTransmitter : public std::enable_shared_from_this<RtuTransmitter> {
public:
    RtuTransmitter(boost::asio::any_io_executor executor, int fd, const RtuBusOptions& options, BusStats& stats,
                   ServedLog* log, Logger& logger);

    // Queues `frame` to start no sooner than `not_before`; frames due at the same time
    // go in the order queued.
    void enqueue(SteadyTime not_before, OutgoingFrame frame);
    // Drops what is queued and never writes again.
    void stop();

private:
    struct Sending {
        OutgoingFrame frame;
        PacedTransmission pacing;
        SteadyTime planned_first;  // the first byte's time on the schedule, before any lateness
        SteadyTime planned_end;    // the last byte's
        std::size_t written = 0;
    };

    void schedule();
    void begin(SteadyTime planned_start, OutgoingFrame frame, SteadyTime now);
    void write_due(SteadyTime now);
    void write_bytes(std::span<const std::byte> bytes);
    void finish(SteadyTime now);
    static void note_lateness(std::uint64_t& worst_us, SteadyTime planned, SteadyTime actual);
    void wait_until(SteadyTime when);

    int fd_;
    RtuBusOptions options_;
    BusStats& stats_;
    ServedLog* log_;
    Logger& logger_;
    boost::asio::steady_timer timer_;
    std::multimap<SteadyTime, OutgoingFrame> queue_;
    std::optional<Sending> sending_;
    SteadyTime line_free_{};  // the next frame may not start before this
    bool write_error_logged_ = false;
    bool stopped_ = false;
};

}  // namespace gridgate::sim
