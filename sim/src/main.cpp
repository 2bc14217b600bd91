// metersim: hosts N simulated JEMStar II meters on Modbus TCP, one port each, on a
// single io_context thread. See docs/metersim.md.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>

#include "gridgate/sim/control_server.hpp"
#include "gridgate/sim/meter_tcp_server.hpp"
#include "gridgate/sim/served_log.hpp"
#include "gridgate/sim/sim_options.hpp"

namespace {

using namespace gridgate;
using namespace gridgate::sim;

void build_fleet(const SimOptions& o, MeterFleet& fleet) {
    const HandlerOptions handler{o.allow_outputs, o.allow_presets};
    const SteadyTime start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < o.meters; ++i) {
        // Each meter gets its own stream of seeds: its load, its starting readings
        // and its garbage bytes differ from its neighbours' but repeat run to run.
        const std::uint64_t meter_seed = mix_seed(o.seed * 1'000'003 + i);
        MeterModel model(o.layout, meter_seed, start);
        fleet.add(std::make_unique<SimulatedMeter>(o.meter_id(i), o.unit_id, std::move(model), handler,
                                                   mix_seed(meter_seed)));
    }
    for (const auto& [id, fault] : o.faults) fleet.find(id)->set_fault(fault);
}

int run(const SimOptions& o) {
    Logger logger(o.log_level);
    for (const std::string& meter : o.trace_meters) logger.set_trace(meter, true);

    MeterFleet fleet;
    build_fleet(o, fleet);

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
    std::unique_ptr<ControlServer> control;
    try {
        if (!o.serve_log_path.empty()) served_log = std::make_unique<ServedLogFile>(io.get_executor(), o.serve_log_path);
        const auto address = boost::asio::ip::make_address(o.host);
        for (std::size_t i = 0; i < fleet.size(); ++i) {
            const auto port = static_cast<std::uint16_t>(o.base_port == 0 ? 0 : o.base_port + i);
            servers.push_back(std::make_unique<MeterTcpServer>(io, fleet[i], boost::asio::ip::tcp::endpoint(address, port),
                                                               TcpServerOptions{o.max_connections}, served_log.get(),
                                                               logger));
        }
        if (!o.control_path.empty()) control = std::make_unique<ControlServer>(io, o.control_path, fleet, logger);
    } catch (const std::exception& e) {
        logger.error("metersim", e.what());
        return 1;
    }

    if (o.print_ports || o.base_port == 0) {
        for (std::size_t i = 0; i < fleet.size(); ++i)
            std::printf("%s %s %u\n", fleet[i].id().c_str(), o.host.c_str(), unsigned{fleet[i].port()});
        std::fflush(stdout);
    }
    logger.info("metersim", std::to_string(fleet.size()) + " meter(s) listening on " + o.host +
                                (o.control_path.empty() ? "" : ", control socket " + o.control_path));

    io.run();

    for (auto& server : servers) server->stop();
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
