#include "gridgate/sim/sim_options.hpp"

#include <sstream>

#include <boost/program_options.hpp>

namespace gridgate::sim {

namespace po = boost::program_options;

namespace {

constexpr std::size_t max_meters = 1000;

po::options_description describe(SimOptions& o, std::string& log_level, std::vector<std::string>& faults,
                                  unsigned& unit_id, unsigned& base_port) {
    po::options_description d(
        "metersim: simulated AMETEK JEMStar II meters speaking Modbus TCP\n"
        "Each meter listens on its own port and serves the default map (counters FC03, analogs\n"
        "FC04, discrete inputs FC02, coils FC01) from a seeded load model that advances with\n"
        "real time. See docs/metersim.md.\n\nOptions");
    d.add_options()
        ("help,h", "show this help and exit")
        ("meters", po::value(&o.meters)->default_value(o.meters), "number of simulated meters (1..1000)")
        ("id-prefix", po::value(&o.id_prefix)->default_value(o.id_prefix), "meter ids are <prefix>1..<prefix>N")
        ("host", po::value(&o.host)->default_value(o.host), "address to listen on")
        ("base-port", po::value(&base_port)->default_value(o.base_port),
         "meter i (0-based) listens on base-port + i; 0 picks free ports and prints them")
        ("unit-id", po::value(&unit_id)->default_value(o.unit_id),
         "device address (0..254); the meters also answer unit ids 0 and 255")
        ("seed", po::value(&o.seed)->default_value(o.seed), "seed of the load models and starting readings")
        ("counter-pairs", po::value(&o.layout.counter_pairs)->default_value(o.layout.counter_pairs),
         "32-bit counters in the FC03 map (2 registers each)")
        ("allow-outputs", po::bool_switch(&o.allow_outputs), "accept FC05/FC15 (else exception 01)")
        ("allow-presets", po::bool_switch(&o.allow_presets), "accept FC16 counter presets (else exception 01)")
        ("max-connections", po::value(&o.max_connections)->default_value(o.max_connections),
         "concurrent TCP connections per meter; one more is accepted and closed at once")
        ("fault", po::value(&faults)->composing(),
         "start with a fault, repeatable: <meter>=none|off|slow:<duration>|exception:<code>|garbage")
        ("control", po::value(&o.control_path), "Unix socket for runtime commands (fault, freeze, stats)")
        ("serve-log", po::value(&o.serve_log_path), "write one JSON line per read answered with data to this file")
        ("print-ports", po::bool_switch(&o.print_ports), "print '<meter> <host> <port>' per meter once listening")
        ("log-level", po::value(&log_level)->default_value("info"), "trace|debug|info|warn|error|off (stderr)")
        ("trace", po::value(&o.trace_meters)->composing(), "hex-dump this meter's traffic to stderr, repeatable");
    return d;
}

CommandLine fail(std::string message) {
    CommandLine out;
    out.outcome = CommandLine::Outcome::error;
    out.text = "metersim: " + std::move(message) + " (see --help)";
    return out;
}

}  // namespace

CommandLine parse_command_line(int argc, const char* const argv[]) {
    CommandLine out;
    SimOptions& o = out.options;
    std::string log_level;
    std::vector<std::string> faults;
    unsigned unit_id = 0;
    unsigned base_port = 0;
    const po::options_description description = describe(o, log_level, faults, unit_id, base_port);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(description).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return fail(e.what());
    }
    if (vm.count("help") != 0) {
        std::ostringstream text;
        text << description;
        out.outcome = CommandLine::Outcome::show_help;
        out.text = text.str();
        return out;
    }

    if (o.meters < 1 || o.meters > max_meters) return fail("--meters must be 1.." + std::to_string(max_meters));
    if (o.id_prefix.empty()) return fail("--id-prefix must not be empty");
    if (unit_id > 254) return fail("--unit-id must be 0..254");
    o.unit_id = static_cast<std::uint8_t>(unit_id);
    if (base_port != 0 && base_port + o.meters - 1 > 65535)
        return fail("--base-port + --meters - 1 must stay below 65536");
    o.base_port = static_cast<std::uint16_t>(base_port);
    if (o.layout.counter_pairs < 1 || o.layout.counter_pairs > max_counter_pairs)
        return fail("--counter-pairs must be 1.." + std::to_string(max_counter_pairs));
    if (o.max_connections < 1) return fail("--max-connections must be at least 1");
    if (!parse_log_level(log_level, o.log_level)) return fail("unknown --log-level '" + log_level + "'");

    for (const std::string& text : faults) {
        std::string meter;
        Fault fault;
        std::string error;
        if (!parse_fault_assignment(text, meter, fault, error)) return fail("--fault " + text + ": " + error);
        bool known = false;
        for (std::size_t i = 0; i < o.meters && !known; ++i) known = o.meter_id(i) == meter;
        if (!known) return fail("--fault " + text + ": no meter '" + meter + "'");
        o.faults.emplace_back(meter, fault);
    }
    return out;
}

}  // namespace gridgate::sim
