#pragma once
// One simulated JEMStar II as a DNP3 outstation (reference/meter-dnp3.md): link layer per
// channel, transport reassembly, and the application layer with the meter's points,
// frozen-counter events, IIN bits and time handling. Pure: link frames and the time come
// in as parameters, the frames to send come out; the runtime owns sockets, serial lines
// and timers (it calls on_timer() at next_deadline(), and at least once a second so that
// steps of the system clock are seen).
//
// A channel is one TCP connection or one serial line; each has its own link states and
// transport sequence numbers, while points, events, IIN and the clock are the meter's.
// A response waiting for its application confirm belongs to the channel that asked; a
// request on any channel abandons it (its events go out again with the next event read).
//
// Application layer summary (docs/metersim.md, "DNP3"):
//   READ g1 g2 g10 g20 g21 g23 g30 g50 g60 with qualifiers 00 01 06 07 08 17 28; static
//     objects answered with 00/01 (or with the request's 17/28), events with 28;
//   WRITE g50v1 (time), g50v3 (LAN procedure), g80v1 index 7 = 0 (clears DEVICE_RESTART);
//   COLD/WARM_RESTART, DELAY_MEASURE (g52v2), RECORD_CURRENT_TIME, CONFIRM;
//   other function codes -> IIN2.0, unknown objects -> IIN2.1, bad ranges -> IIN2.2.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/dnp3/app.hpp"
#include "gridgate/dnp3/link.hpp"
#include "gridgate/dnp3/transport.hpp"
#include "gridgate/sim/dnp3_clock.hpp"
#include "gridgate/sim/dnp3_events.hpp"
#include "gridgate/sim/dnp3_link_channel.hpp"
#include "gridgate/sim/dnp3_options.hpp"
#include "gridgate/sim/fault.hpp"
#include "gridgate/sim/meter_model.hpp"

namespace gridgate::sim {

// The two clocks an outstation sees: steady time for the load model and timeouts, system
// UTC for its own clock.
struct Dnp3Now {
    SteadyTime steady{};
    TimestampUs utc_us = 0;
};

using Dnp3ChannelId = std::uint64_t;

// The faults an outstation can have: all but the Modbus "exception". off = no answer at
// all; slow = every frame sent the delay later; garbage = random octets instead of each
// frame; crc = each frame's header CRC inverted; wrong-address = frames from the next
// address up; noise = random octets before each frame.
bool is_dnp3_fault(FaultKind kind);

// Bytes for one channel, to be written `delay` from now (the "slow" fault).
struct Dnp3Transmit {
    Dnp3ChannelId channel = 0;
    std::vector<std::uint8_t> bytes;
    Duration delay{0};
};

struct Dnp3Stats {
    std::uint64_t frames_rx = 0;  // link frames addressed to this outstation
    std::uint64_t frames_tx = 0;  // link frames sent (faults included)
    std::uint64_t rx_bytes = 0;   // bytes of those frames
    std::uint64_t tx_bytes = 0;
    std::uint64_t requests = 0;             // complete request fragments (confirms excluded)
    std::uint64_t responses = 0;            // response fragments sent
    std::uint64_t unanswered = 0;           // frames swallowed by the "off" fault
    std::uint64_t bad_requests = 0;         // fragments that could not be parsed, or not FIR+FIN
    std::uint64_t broadcasts = 0;           // requests to a broadcast address (executed, not answered)
    std::uint64_t confirms = 0;             // application confirms accepted
    std::uint64_t confirms_dropped = 0;     // ignored by `dnp3 drop-confirms`
    std::uint64_t confirms_unexpected = 0;  // wrong sequence, or nothing waiting
    std::uint64_t confirm_timeouts = 0;     // responses abandoned without a confirm
    std::uint64_t freezes = 0;
    std::uint64_t events_generated = 0;  // stored in the buffer
    std::uint64_t events_lost = 0;       // buffer full
    std::uint64_t events_sent = 0;       // event objects sent (resendings included)
    std::uint64_t events_confirmed = 0;
    std::uint64_t time_sets = 0;             // WRITE g50v1 / g50v3 applied
    std::uint64_t time_sets_ignored = 0;     // refused by --dnp3-no-global-time-set
    std::uint64_t restarts = 0;              // FC13/14 and `dnp3 restart`
    std::uint64_t connections = 0;           // TCP: accepted and served
    std::uint64_t rejected_connections = 0;  // TCP: over the limit, closed at once
    std::uint64_t inactivity_closes = 0;     // TCP: closed by the inactivity timeout
    Dnp3LinkStats link;
};

class Dnp3Outstation {
public:
    // `start` is when the meter starts: its clock is set from it and the frozen counters
    // hold the values at start until the first freeze.
    Dnp3Outstation(std::string id, MeterModel model, const Dnp3Options& options, const Dnp3Now& start,
                   std::uint64_t seed);
    // Channels point into the stats: the outstation stays where it was made.
    Dnp3Outstation(const Dnp3Outstation&) = delete;
    Dnp3Outstation& operator=(const Dnp3Outstation&) = delete;

    const std::string& id() const { return id_; }
    std::uint16_t address() const { return options_.address; }
    const Dnp3Options& options() const { return options_; }

    // A frame from `channel`. Frames for other addresses, and frames not sent by a
    // master (DIR clear), are ignored; the broadcast addresses 0xFFFD..0xFFFF are
    // executed without an answer.
    bool accepts(std::uint16_t destination) const;
    void on_frame(Dnp3ChannelId channel, const dnp3::LinkFrame& frame, const Dnp3Now& now,
                  std::vector<Dnp3Transmit>& out);
    // Freezes, confirm timeouts and link re-sendings that are due.
    void on_timer(const Dnp3Now& now, std::vector<Dnp3Transmit>& out);
    // When on_timer() is next due (steady time), as seen from the last call.
    SteadyTime next_deadline() const;
    // A channel went away: its link state, and any response waiting on it, are dropped.
    void close_channel(Dnp3ChannelId channel);

    // Control-socket actions.
    void freeze_now(const Dnp3Now& now);  // a register freeze at the present time
    void restart(const Dnp3Now& now);     // DEVICE_RESTART as after FC13/14
    void set_drop_confirms(bool on) { drop_confirms_ = on; }
    bool drop_confirms() const { return drop_confirms_; }
    void set_clock_offset(Duration offset, const Dnp3Now& now);  // clock = UTC + offset

    // The meter's clock at system time utc_us, in DNP3 milliseconds.
    std::uint64_t meter_time_ms(TimestampUs utc_us) const { return clock_.read_ms(utc_us); }
    // IIN as the next response would carry it (without request-specific IIN2 bits).
    dnp3::Iin iin(const Dnp3Now& now) const;
    std::size_t events_pending() const { return events_.size(); }

    const Fault& fault() const { return fault_; }
    void set_fault(const Fault& fault) { fault_ = fault; }
    MeterModel& model() { return model_; }
    const MeterModel& model() const { return model_; }
    Dnp3Stats& stats() { return stats_; }
    const Dnp3Stats& stats() const { return stats_; }

    // Where it is served: a TCP port, or a serial line.
    std::uint16_t port() const { return port_; }
    void set_port(std::uint16_t port) { port_ = port; }
    const std::string& bus() const { return bus_; }
    void set_bus(std::string device) { bus_ = std::move(device); }

    // Receives the served-log lines (events generated, time sets), newline included.
    void set_log_sink(std::function<void(std::string_view)> sink) { log_sink_ = std::move(sink); }

private:
    struct Fragment {
        dnp3::ResponseBuilder builder;
        std::vector<std::uint64_t> events;  // ids of the events it carries
    };
    struct Channel {
        Channel(const Dnp3LinkChannel::Options& o, Dnp3LinkStats& s) : link(o, s) {}
        Dnp3LinkChannel link;
        dnp3::Reassembler reassembler;
        std::uint8_t tx_seq = 0;  // transport sequence of our next segment
    };
    struct Pending {
        Dnp3ChannelId channel = 0;
        std::vector<Fragment> fragments;
        std::size_t next = 0;  // the next fragment to send
        std::uint8_t first_seq = 0;
        std::uint16_t request_iin = 0;  // IIN2 bits about the request
        bool waiting = false;           // the last one sent asked for a confirm
        std::uint8_t waiting_seq = 0;
        SteadyTime deadline{};
    };
    class Writer;

    Channel& channel(Dnp3ChannelId id);
    void on_fragment(Dnp3ChannelId ch, std::span<const std::uint8_t> fragment, bool broadcast, const Dnp3Now& now,
                     std::vector<Dnp3Transmit>& out);
    void on_confirm(Dnp3ChannelId ch, const dnp3::AppControl& control, const Dnp3Now& now,
                    std::vector<Dnp3Transmit>& out);
    // Runs the request into `w`; returns the IIN2 bits it earned.
    std::uint16_t execute(const dnp3::Request& request, const Dnp3Now& now, Writer& w);
    std::uint16_t execute_read(const dnp3::RequestObject& object, const Dnp3Now& now, Writer& w);
    std::uint16_t execute_write(const dnp3::RequestObject& object, const Dnp3Now& now);
    std::uint16_t read_static(const dnp3::ObjectHeader& h, std::span<const std::uint32_t> indices,
                              std::uint8_t variation, std::size_t points, const Dnp3Now& now, Writer& w);
    void read_events(std::uint8_t variation, std::size_t limit, Writer& w);
    void read_class0(const Dnp3Now& now, Writer& w);
    dnp3::PointValue point_value(std::uint8_t group, std::uint8_t variation, std::size_t point) const;

    void send_next_fragment(const Dnp3Now& now, std::vector<Dnp3Transmit>& out);
    void abandon_pending();
    void emit(Dnp3ChannelId ch, std::vector<std::vector<std::uint8_t>> frames, std::vector<Dnp3Transmit>& out);
    void check_freeze(const Dnp3Now& now);
    void freeze(std::uint64_t time_ms, const Dnp3Now& now);
    void set_clock(std::uint64_t meter_ms, const char* procedure, const Dnp3Now& now);
    bool need_time(const Dnp3Now& now) const;
    std::vector<std::uint8_t> garbage();
    void log_line(const std::string& line) const;
    std::uint32_t wire_index(std::size_t point) const {
        return static_cast<std::uint32_t>(point) + options_.index_base;
    }

    std::string id_;
    MeterModel model_;
    Dnp3Options options_;
    MeterClock clock_;
    Dnp3EventBuffer events_;
    Fault fault_;
    Dnp3Stats stats_;
    std::mt19937_64 random_;
    std::function<void(std::string_view)> log_sink_;
    std::uint16_t port_ = 0;
    std::string bus_;

    std::map<Dnp3ChannelId, Channel> channels_;
    std::optional<Pending> pending_;
    Dnp3Now last_now_;

    bool restart_ = true;          // IIN1.7 from start
    bool broadcast_seen_ = false;  // IIN1.0 for the next response
    bool drop_confirms_ = false;
    std::optional<TimestampUs> last_time_set_utc_;   // none yet: NEED_TIME from start
    std::optional<std::uint64_t> recorded_time_ms_;  // RECORD_CURRENT_TIME, meter clock

    std::vector<std::uint32_t> frozen_;  // counters at the last freeze
    std::uint64_t frozen_time_ms_ = 0;
    std::uint64_t last_boundary_ms_ = 0;  // the last scheduled freeze boundary passed
};

// The DNP3 outstations one process hosts, and the serial line some of them share.
class Dnp3Fleet {
public:
    Dnp3Outstation& add(std::unique_ptr<Dnp3Outstation> outstation);
    Dnp3Outstation* find(std::string_view id);
    std::size_t size() const { return outstations_.size(); }
    Dnp3Outstation& operator[](std::size_t i) { return *outstations_[i]; }
    const Dnp3Outstation& operator[](std::size_t i) const { return *outstations_[i]; }

private:
    std::vector<std::unique_ptr<Dnp3Outstation>> outstations_;
};

}  // namespace gridgate::sim
