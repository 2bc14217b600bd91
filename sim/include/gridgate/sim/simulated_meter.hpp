#pragma once
// One simulated meter as the network sees it: its id and device address, its model,
// its fault switch and its counters. Transport-neutral (Modbus TCP and RTU): the caller
// hands in a PDU with the unit id it was addressed to and gets back what to send, if
// anything, and when; the transport applies the framing faults (Reply::framing).
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/sim/bus_info.hpp"
#include "gridgate/sim/fault.hpp"
#include "gridgate/sim/meter_model.hpp"
#include "gridgate/sim/request_handler.hpp"

namespace gridgate::sim {

struct MeterStats {
    std::uint64_t requests = 0;            // well-framed requests received
    std::uint64_t answered = 0;            // normal or exception replies sent (incl. faults)
    std::uint64_t exceptions = 0;          // of which exception replies
    std::uint64_t ignored_unit = 0;        // addressed to another unit id: no reply
    std::uint64_t unanswered = 0;          // swallowed by the "off" fault
    std::uint64_t garbage = 0;             // garbage replies and noise bursts sent by the faults
    std::uint64_t bad_frames = 0;          // bad MBAP headers (connection closed)
    std::uint64_t connections = 0;         // connections accepted and served
    std::uint64_t rejected_connections = 0;  // over the concurrent limit, closed at once
    std::uint64_t broadcasts = 0;          // RTU requests to address 0: executed, not answered
    std::uint64_t bad_crc = 0;             // replies sent with a corrupted CRC (fault crc)
    std::uint64_t wrong_address = 0;       // replies sent as another slave (fault wrong-address)
    std::uint64_t rx_bytes = 0;            // request bytes addressed to this meter (frames / ADUs)
    std::uint64_t tx_bytes = 0;            // bytes sent by this meter, faults included
};

struct Reply {
    enum class Kind : std::uint8_t { none, pdu, raw };
    // Faults the transport applies when it frames a pdu reply.
    enum class Framing : std::uint8_t {
        normal,
        bad_crc,        // RTU: both CRC bytes inverted
        wrong_address,  // the frame carries wrong_address_for(address) instead
        noise_before,   // RTU: `noise` goes on the line first, then t3.5 of silence
    };
    Kind kind = Kind::none;
    std::vector<std::byte> bytes;      // a response PDU (kind pdu) or bytes to send as-is (raw)
    Duration delay{0};                 // send this long after the request (fault "slow")
    std::optional<ServedRead> served;  // a read answered with data, for the served log
    Framing framing = Framing::normal;
    std::vector<std::byte> noise;      // for noise_before
};

class SimulatedMeter {
public:
    SimulatedMeter(std::string id, std::uint8_t device_address, MeterModel model, const HandlerOptions& options,
                   std::uint64_t seed);

    const std::string& id() const { return id_; }
    std::uint8_t device_address() const { return device_address_; }

    // Modbus TCP convention: a server answers its own address and also 0 and 255.
    bool answers_unit(std::uint8_t unit) const { return unit == device_address_ || unit == 0 || unit == 255; }

    Reply on_request(std::uint8_t unit, std::span<const std::byte> pdu, SteadyTime now);

    // An RTU broadcast (address 0): writes are executed, nothing is ever answered. A
    // meter with fault "off" ignores it like everything else.
    void on_broadcast(std::span<const std::byte> pdu, SteadyTime now);

    const Fault& fault() const { return fault_; }
    void set_fault(const Fault& fault) { fault_ = fault; }

    MeterModel& model() { return model_; }
    const MeterModel& model() const { return model_; }
    MeterStats& stats() { return stats_; }
    const MeterStats& stats() const { return stats_; }

    // The TCP port it listens on, once bound (0 before).
    std::uint16_t port() const { return port_; }
    void set_port(std::uint16_t port) { port_ = port; }

    // The RTU bus (device path) it is a slave on; empty for a Modbus TCP meter.
    const std::string& bus() const { return bus_; }
    void set_bus(std::string device) { bus_ = std::move(device); }

    // 8..24 random bytes that neither a Modbus TCP client (the protocol-id field is
    // never 0) nor an RTU master (the CRC over them is wrong) can take for a reply.
    std::vector<std::byte> garbage_bytes();

private:
    std::string id_;
    std::uint8_t device_address_;
    MeterModel model_;
    HandlerOptions options_;
    Fault fault_;
    MeterStats stats_;
    std::uint16_t port_ = 0;
    std::string bus_;
    std::mt19937_64 random_;
};

// The meters one process hosts, in order jem1..jemN, and the RTU buses some of them
// sit on. Addresses are stable (servers keep references).
class MeterFleet {
public:
    SimulatedMeter& add(std::unique_ptr<SimulatedMeter> meter);
    SimulatedMeter* find(std::string_view id);
    std::size_t size() const { return meters_.size(); }
    SimulatedMeter& operator[](std::size_t i) { return *meters_[i]; }
    const SimulatedMeter& operator[](std::size_t i) const { return *meters_[i]; }

    BusInfo& add_bus(BusInfo bus);
    std::size_t bus_count() const { return buses_.size(); }
    BusInfo& bus(std::size_t i) { return *buses_[i]; }
    const BusInfo& bus(std::size_t i) const { return *buses_[i]; }

private:
    std::vector<std::unique_ptr<SimulatedMeter>> meters_;
    std::vector<std::unique_ptr<BusInfo>> buses_;
};

}  // namespace gridgate::sim
