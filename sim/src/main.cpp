// metersim: hosts simulated JEMStar II meters on Modbus TCP (one port each), on an
// RTU bus (several slaves on one serial device or pty), as DNP3 outstations (TCP, and a
// serial line shared by address, possibly the RTU bus's own), and as DLMS/COSEM servers
// (the TCP wrapper, one port each, and HDLC on a serial line shared by physical ID), all
// on a single io_context thread. See docs/metersim.md.
#include <sys/prctl.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>

#include "gridgate/core/clock.hpp"
#include "dlms_runtime.hpp"
#include "gridgate/sim/control_server.hpp"
#include "gridgate/sim/dlms_meter.hpp"
#include "gridgate/sim/dlms_serial_line.hpp"
#include "gridgate/sim/dlms_tcp_server.hpp"
#include "gridgate/sim/dnp3_serial_line.hpp"
#include "gridgate/sim/dnp3_tcp_server.hpp"
#include "gridgate/sim/meter_tcp_server.hpp"
#include "gridgate/sim/pqdif_recorder.hpp"
#include "gridgate/sim/rtu_bus.hpp"
#include "gridgate/sim/served_log.hpp"
#include "gridgate/sim/sim_options.hpp"

namespace {

using namespace gridgate;
using namespace gridgate::sim;

// Each meter gets its own stream of seeds: its load, its starting readings and its
// garbage bytes differ from its neighbours' but repeat run to run. An RTU slave at
// address a draws from the stream of TCP meter a-1, so jem3 is the same meter on
// either transport.
std::unique_ptr<SimulatedMeter> make_meter(const SimOptions& o, std::string id, std::uint8_t address,
                                           std::size_t seed_index, SteadyTime start) {
    const std::uint64_t meter_seed = mix_seed(o.seed * 1'000'003 + seed_index);
    return std::make_unique<SimulatedMeter>(std::move(id), address, MeterModel(o.layout, meter_seed, start),
                                            HandlerOptions{o.allow_outputs, o.allow_presets}, mix_seed(meter_seed));
}

// A DNP3 outstation draws from the same seed stream as the Modbus meter of the same
// position (TCP outstation i like TCP meter i, serial address a like RTU slave a), so
// dnp1 and jem1 read alike for the same --seed.
std::unique_ptr<Dnp3Outstation> make_outstation(const SimOptions& o, std::string id, std::uint16_t address,
                                                std::size_t seed_index, const Dnp3Now& start) {
    const std::uint64_t meter_seed = mix_seed(o.seed * 1'000'003 + seed_index);
    Dnp3Options options = o.dnp3;
    options.address = address;
    return std::make_unique<Dnp3Outstation>(std::move(id), MeterModel(o.layout, meter_seed, start.steady), options,
                                            start, mix_seed(meter_seed));
}

// TCP meters first, then the RTU slaves; returns the slaves.
std::vector<SimulatedMeter*> build_fleet(const SimOptions& o, MeterFleet& fleet) {
    const SteadyTime start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < o.meters; ++i) fleet.add(make_meter(o, o.meter_id(i), o.unit_id, i, start));
    std::vector<SimulatedMeter*> slaves;
    if (o.rtu_enabled())
        for (const std::uint8_t address : o.rtu_slaves)
            slaves.push_back(&fleet.add(make_meter(o, o.rtu_meter_id(address), address, address - 1u, start)));
    for (const auto& [id, fault] : o.faults)
        if (SimulatedMeter* meter = fleet.find(id)) meter->set_fault(fault);
    return slaves;
}

// DNP3 TCP outstations first, then those on the serial line; returns the latter.
std::vector<Dnp3Outstation*> build_dnp3_fleet(const SimOptions& o, Dnp3Fleet& fleet, ServedLog* log) {
    const Dnp3Now start{std::chrono::steady_clock::now(), SystemClock{}.now_utc_us()};
    for (std::size_t i = 0; i < o.dnp3_meters; ++i)
        fleet.add(make_outstation(o, o.dnp3_meter_id(i), o.dnp3.address, i, start));
    std::vector<Dnp3Outstation*> on_line;
    if (o.dnp3_serial_enabled())
        for (const std::uint16_t address : o.dnp3_slaves)
            on_line.push_back(
                &fleet.add(make_outstation(o, o.dnp3_serial_meter_id(address), address, address - 1u, start)));
    for (const auto& [id, fault] : o.faults)
        if (Dnp3Outstation* outstation = fleet.find(id)) outstation->set_fault(fault);
    if (log != nullptr)
        for (std::size_t i = 0; i < fleet.size(); ++i)
            fleet[i].set_log_sink([log](std::string_view line) { log->record_line(line); });
    return on_line;
}

// A DLMS meter draws from the seed stream of the Modbus meter of the same position (TCP
// meter i like jem<i+1>, physical ID p like RTU slave p). Its serial number follows the
// same number: JS2-000001 for dlms1, JS2-000100 for the meter at physical ID 100.
std::unique_ptr<DlmsMeter> make_dlms_meter(const SimOptions& o, std::string id, std::size_t seed_index,
                                           TimestampUs start, ServedLog* log) {
    DlmsServerOptions options = o.dlms;
    options.id = std::move(id);
    options.seed = mix_seed(o.seed * 1'000'003 + seed_index);
    char serial[16];
    std::snprintf(serial, sizeof serial, "JS2-%06zu", seed_index + 1);
    options.serial_number = serial;
    auto meter = std::make_unique<DlmsMeter>(std::move(options), start);
    if (log != nullptr)
        meter->server().set_event_hook([log](const std::string& kind, const std::string& detail) {
            log->record_line(dlms_served_line(SystemClock{}.now_utc_us(), kind, detail));
        });
    return meter;
}

// DLMS TCP meters first, then those on the serial line (HDLC attached); returns the latter.
std::vector<DlmsMeter*> build_dlms_fleet(const SimOptions& o, DlmsFleet& fleet, const std::string& bus,
                                         ServedLog* log) {
    const TimestampUs start = SystemClock{}.now_utc_us();
    for (std::size_t i = 0; i < o.dlms_meters; ++i) fleet.add(make_dlms_meter(o, o.dlms_meter_id(i), i, start, log));
    std::vector<DlmsMeter*> on_line;
    if (o.dlms_serial_enabled()) {
        for (const std::uint16_t id : o.dlms_physical_ids) {
            DlmsMeter& meter = fleet.add(make_dlms_meter(o, o.dlms_serial_meter_id(id), id - 1u, start, log));
            DlmsHdlcOptions hdlc = o.dlms_hdlc;
            hdlc.physical_id = id;
            meter.attach_hdlc(hdlc, bus);
            on_line.push_back(&meter);
        }
    }
    return on_line;
}

std::unique_ptr<RtuBus> open_bus(boost::asio::io_context& io, const SimOptions& o, std::vector<SimulatedMeter*> slaves,
                                 MeterFleet& fleet, ServedLog* log, Logger& logger) {
    SerialDevice device = o.rtu_pty ? SerialDevice::open_pty(o.rtu.line) : SerialDevice::open(o.rtu_device, o.rtu.line);
    BusInfo& info = fleet.add_bus(BusInfo{device.path(), o.rtu.line, o.rtu_slaves, {}});
    return std::make_unique<RtuBus>(io, std::move(device), std::move(slaves), info, o.rtu, log, logger);
}

void print_dlms_endpoints(const SimOptions& o, const DlmsFleet& dlms) {
    for (std::size_t i = 0; i < dlms.size(); ++i) {
        const DlmsMeter& meter = dlms[i];
        if (const DlmsHdlcServer* hdlc = meter.hdlc()) {
            if (o.print_ports)
                std::printf("%s dlms-serial %s %u\n", meter.id().c_str(), meter.bus().c_str(),
                            unsigned{hdlc->options().physical_id});
        } else if (o.print_ports || o.dlms_base_port == 0) {
            std::printf("%s %s %u\n", meter.id().c_str(), o.host.c_str(), unsigned{meter.port()});
        }
    }
}

void print_endpoints(const SimOptions& o, const MeterFleet& fleet, const Dnp3Fleet& dnp3, const Dnp3SerialLine* line,
                     const DlmsFleet& dlms, const DlmsSerialLine* dlms_line) {
    if (fleet.bus_count() != 0) std::printf("bus %s\n", fleet.bus(0).device.c_str());
    if (line != nullptr) std::printf("dnp3-bus %s\n", line->device().c_str());
    if (dlms_line != nullptr) std::printf("dlms-bus %s\n", dlms_line->device().c_str());
    for (std::size_t i = 0; i < fleet.size(); ++i) {
        const SimulatedMeter& meter = fleet[i];
        if (!meter.bus().empty()) {
            if (o.print_ports)
                std::printf("%s rtu %s %u\n", meter.id().c_str(), meter.bus().c_str(),
                            unsigned{meter.device_address()});
        } else if (o.print_ports || o.base_port == 0) {
            std::printf("%s %s %u\n", meter.id().c_str(), o.host.c_str(), unsigned{meter.port()});
        }
    }
    for (std::size_t i = 0; i < dnp3.size(); ++i) {
        const Dnp3Outstation& outstation = dnp3[i];
        if (!outstation.bus().empty()) {
            if (o.print_ports)
                std::printf("%s dnp3-serial %s %u\n", outstation.id().c_str(), outstation.bus().c_str(),
                            unsigned{outstation.address()});
        } else if (o.print_ports || o.dnp3_base_port == 0) {
            std::printf("%s %s %u\n", outstation.id().c_str(), o.host.c_str(), unsigned{outstation.port()});
        }
    }
    print_dlms_endpoints(o, dlms);
    std::fflush(stdout);
}

// The DLMS meters on their transports: a TCP server each, and the serial line.
void open_dlms(boost::asio::io_context& io, const SimOptions& o, const boost::asio::ip::address& address,
               DlmsFleet& dlms, ServedLog* log, Logger& logger, std::vector<std::unique_ptr<DlmsTcpServer>>& servers,
               std::unique_ptr<DlmsSerialLine>& line) {
    std::optional<SerialDevice> device;
    if (o.dlms_serial_enabled())
        device.emplace(o.dlms_serial_pty ? SerialDevice::open_pty(o.rtu.line)
                                         : SerialDevice::open(o.dlms_serial_device, o.rtu.line));
    std::vector<DlmsMeter*> on_line = build_dlms_fleet(o, dlms, device ? device->path() : std::string(), log);
    for (std::size_t i = 0; i < o.dlms_meters; ++i) {
        const auto port = static_cast<std::uint16_t>(o.dlms_base_port == 0 ? 0 : o.dlms_base_port + i);
        servers.push_back(std::make_unique<DlmsTcpServer>(io, dlms[i], boost::asio::ip::tcp::endpoint(address, port),
                                                          DlmsTcpOptions{o.dlms_tcp_inactivity}, logger));
    }
    if (device) {
        DlmsLineInfo& info = dlms.add_line(DlmsLineInfo{device->path(), o.rtu.line, o.dlms_physical_ids, {}});
        line = std::make_unique<DlmsSerialLine>(io, std::move(*device), std::move(on_line), info,
                                                o.dlms_interframe_timeout, logger);
    }
}

int run(const SimOptions& o) {
    Logger logger(o.log_level);
    for (const std::string& meter : o.trace_meters) logger.set_trace(meter, true);

    MeterFleet fleet;
    std::vector<SimulatedMeter*> slaves = build_fleet(o, fleet);

    boost::asio::io_context io(1);
    // Catch signals before the ports are printed: whoever reads them may signal at once.
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
        if (ec) return;
        logger.info("metersim", "signal " + std::to_string(signal_number) + ", stopping");
        io.stop();
    });
    std::unique_ptr<ServedLogFile> served_log;
    std::vector<std::unique_ptr<MeterTcpServer>> servers;
    std::unique_ptr<RtuBus> bus;
    Dnp3Fleet dnp3;
    std::vector<std::unique_ptr<Dnp3TcpServer>> dnp3_servers;
    std::unique_ptr<Dnp3SerialLine> dnp3_line;
    DlmsFleet dlms;
    std::vector<std::unique_ptr<DlmsTcpServer>> dlms_servers;
    std::unique_ptr<DlmsSerialLine> dlms_line;
    std::shared_ptr<DlmsProfileTicker> dlms_ticker;
    const SystemClock pqdif_clock;
    std::unique_ptr<PqdifRecorder> pqdif;
    std::unique_ptr<ControlServer> control;
    try {
        if (!o.serve_log_path.empty()) served_log = std::make_unique<ServedLogFile>(io.get_executor(), o.serve_log_path);
        const auto address = boost::asio::ip::make_address(o.host);
        for (std::size_t i = 0; i < o.meters; ++i) {
            const auto port = static_cast<std::uint16_t>(o.base_port == 0 ? 0 : o.base_port + i);
            servers.push_back(std::make_unique<MeterTcpServer>(io, fleet[i], boost::asio::ip::tcp::endpoint(address, port),
                                                               TcpServerOptions{o.max_connections}, served_log.get(),
                                                               logger));
        }
        if (o.rtu_enabled()) bus = open_bus(io, o, std::move(slaves), fleet, served_log.get(), logger);
        std::vector<Dnp3Outstation*> on_line = build_dnp3_fleet(o, dnp3, served_log.get());
        for (std::size_t i = 0; i < o.dnp3_meters; ++i) {
            const auto port = static_cast<std::uint16_t>(o.dnp3_base_port == 0 ? 0 : o.dnp3_base_port + i);
            dnp3_servers.push_back(std::make_unique<Dnp3TcpServer>(
                io, dnp3[i], boost::asio::ip::tcp::endpoint(address, port),
                Dnp3TcpOptions{o.dnp3_max_connections, o.dnp3_inactivity_timeout}, logger));
        }
        if (o.dnp3_on_rtu_line) {
            dnp3_line = std::make_unique<Dnp3SerialLine>(io, *bus, std::move(on_line), logger);
        } else if (o.dnp3_serial_enabled()) {
            SerialDevice device = o.dnp3_serial_pty ? SerialDevice::open_pty(o.rtu.line)
                                                    : SerialDevice::open(o.dnp3_serial_device, o.rtu.line);
            dnp3_line = std::make_unique<Dnp3SerialLine>(io, std::move(device), std::move(on_line), logger);
        }
        open_dlms(io, o, address, dlms, served_log.get(), logger, dlms_servers, dlms_line);
        if (dlms.size() != 0) {
            dlms_ticker = std::make_shared<DlmsProfileTicker>(io.get_executor(), dlms);
            dlms_ticker->start();
        }
        if (o.pqdif.enabled()) {
            pqdif = std::make_unique<PqdifRecorder>(io.get_executor(), o.pqdif, pqdif_clock, logger);
            pqdif->start();
        }
        if (!o.control_path.empty())
            control = std::make_unique<ControlServer>(io, o.control_path, fleet, logger, &dnp3, &dlms, pqdif.get());
    } catch (const std::exception& e) {
        logger.error("metersim", e.what());
        return 1;
    }

    // Linux lets a timer fire up to 50 µs late by default ("timer slack"); a paced RTU
    // or DLMS line wants its bytes on time, and this thread runs every timer.
    if (bus || dlms_line) ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);

    print_endpoints(o, fleet, dnp3, dnp3_line.get(), dlms, dlms_line.get());
    std::string where;
    if (o.meters != 0) where = std::to_string(o.meters) + " TCP meter(s) on " + o.host;
    if (bus)
        where += (where.empty() ? "" : ", ") + std::to_string(o.rtu_slaves.size()) + " RTU slave(s) on " +
                 fleet.bus(0).device + " at " + to_string(o.rtu.line);
    if (o.dnp3_meters != 0)
        where += (where.empty() ? "" : ", ") + std::to_string(o.dnp3_meters) + " DNP3 TCP outstation(s) on " + o.host;
    if (dnp3_line)
        where += (where.empty() ? "" : ", ") + std::to_string(o.dnp3_slaves.size()) + " DNP3 outstation(s) on " +
                 dnp3_line->device() + " at " + to_string(o.rtu.line);
    if (o.dlms_meters != 0)
        where += (where.empty() ? "" : ", ") + std::to_string(o.dlms_meters) + " DLMS TCP meter(s) on " + o.host;
    if (dlms_line)
        where += (where.empty() ? "" : ", ") + std::to_string(o.dlms_physical_ids.size()) + " DLMS meter(s) on " +
                 dlms_line->device() + " at " + to_string(o.rtu.line);
    if (pqdif) where += (where.empty() ? "" : ", ") + std::string("PQDIF recordings in ") + o.pqdif.dir;
    logger.info("metersim", where + (o.control_path.empty() ? "" : ", control socket " + o.control_path));

    io.run();

    for (auto& server : servers) server->stop();
    if (bus) bus->stop();
    for (auto& server : dnp3_servers) server->stop();
    if (dnp3_line) dnp3_line->stop();
    for (auto& server : dlms_servers) server->stop();
    if (dlms_line) dlms_line->stop();
    if (dlms_ticker) dlms_ticker->stop();
    if (pqdif) pqdif->stop();  // slow writes finish: no half file after a clean stop
    if (control) control->stop();
    if (served_log) served_log->close();
    return 0;
}

}  // namespace

int main(int argc, char* argv[]) {
    std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not kill the simulator
    const CommandLine cli = parse_command_line(argc, argv);
    switch (cli.outcome) {
        case CommandLine::Outcome::show_help: std::cout << cli.text; return 0;
        case CommandLine::Outcome::error: std::cerr << cli.text << '\n'; return 2;
        case CommandLine::Outcome::run: break;
    }
    return run(cli.options);
}
