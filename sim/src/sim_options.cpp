#include "gridgate/sim/sim_options.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

#include <boost/program_options.hpp>

#include "dlms_options.hpp"
#include "dnp3_control.hpp"
#include "pqdif_cli.hpp"

namespace gridgate::sim {

namespace po = boost::program_options;

namespace {

constexpr std::size_t max_meters = 1000;
constexpr unsigned highest_slave_address = 247;

// Options that arrive as text or wider integers and are checked after parsing.
struct RawOptions {
    std::string log_level;
    std::vector<std::string> faults;
    unsigned unit_id = 0;
    unsigned base_port = 0;
    std::string slaves = "1";
    std::uint32_t baud = LineSettings{}.baud;
    std::string parity = "none";
    unsigned data_bits = 8;
    unsigned stop_bits = 1;
    std::string turnaround = "2ms";
    std::string tx_start_delay = "0";
    std::string tx_end_delay = "0";
    // DNP3
    unsigned dnp3_base_port = default_dnp3_base_port;
    unsigned dnp3_address = 1;
    std::string dnp3_slaves = "1";
    std::string dnp3_freeze_period = "15m";
    std::string dnp3_write_time_interval = "1m";
    std::string dnp3_link_confirm = "never";
    unsigned dnp3_link_retries = 3;
    std::string dnp3_link_timeout = "1s";
    unsigned dnp3_index_base = 0;
    std::string dnp3_confirm_timeout = "5s";
    bool dnp3_no_global_time_set = false;
    std::string dnp3_clock_offset = "0";
    std::string dnp3_inactivity_timeout = "0";
};

po::options_description describe(SimOptions& o, RawOptions& raw) {
    po::options_description d(
        "metersim: simulated AMETEK JEMStar II meters speaking Modbus TCP and RTU, DNP3 and DLMS/COSEM\n"
        "Each TCP meter listens on its own port; an RTU bus hosts several slaves on one serial\n"
        "device or pty. All serve the default map (counters FC03, analogs FC04, discrete\n"
        "inputs FC02, coils FC01) from a seeded load model that advances with real time.\n"
        "DNP3 outstations (--dnp3-meters, --dnp3-serial-pty) serve the meter's DNP3 points\n"
        "and frozen-counter events from the same model. DLMS/COSEM meters (--dlms-meters on\n"
        "the TCP wrapper, --dlms-serial-pty on HDLC) serve the meter's COSEM objects and load profile.\n"
        "See docs/metersim.md.\n\nOptions");
    d.add_options()
        ("help,h", "show this help and exit")
        ("meters", po::value(&o.meters)->default_value(o.meters),
         "number of Modbus TCP meters (1..1000; 0..1000 with an RTU bus or DNP3, where the default is 0)")
        ("id-prefix", po::value(&o.id_prefix)->default_value(o.id_prefix),
         "TCP meter ids are <prefix>1..<prefix>N, RTU slaves <prefix><address>")
        ("host", po::value(&o.host)->default_value(o.host), "address to listen on")
        ("base-port", po::value(&raw.base_port)->default_value(o.base_port),
         "meter i (0-based) listens on base-port + i; 0 picks free ports and prints them")
        ("unit-id", po::value(&raw.unit_id)->default_value(o.unit_id),
         "TCP device address (0..254); the meters also answer unit ids 0 and 255")
        ("seed", po::value(&o.seed)->default_value(o.seed), "seed of the load models and starting readings")
        ("counter-pairs", po::value(&o.layout.counter_pairs)->default_value(o.layout.counter_pairs),
         "32-bit counters in the FC03 map (2 registers each)")
        ("allow-outputs", po::bool_switch(&o.allow_outputs), "accept FC05/FC15 (else exception 01)")
        ("allow-presets", po::bool_switch(&o.allow_presets), "accept FC16 counter presets (else exception 01)")
        ("max-connections", po::value(&o.max_connections)->default_value(o.max_connections),
         "concurrent TCP connections per meter; one more is accepted and closed at once")
        ("rtu", po::value(&o.rtu_device),
         "serve an RTU bus on this serial device (a tty, or one end of a socat pty pair)")
        ("rtu-pty", po::bool_switch(&o.rtu_pty),
         "serve an RTU bus on a new pty and print 'bus <path>' (the end a master opens)")
        ("slaves", po::value(&raw.slaves)->default_value(raw.slaves),
         "RTU slave addresses on the bus, e.g. 1-8 or 1,3,5-7 (1..247)")
        ("baud", po::value(&raw.baud)->default_value(raw.baud),
         "RTU line rate: 1200, 2400, 4800, 9600, 19200, 38400, 57600 or 115200")
        ("parity", po::value(&raw.parity)->default_value(raw.parity), "RTU parity: none, even or odd")
        ("data-bits", po::value(&raw.data_bits)->default_value(raw.data_bits), "RTU data bits (8 only)")
        ("stop-bits", po::value(&raw.stop_bits)->default_value(raw.stop_bits), "RTU stop bits: 1 or 2")
        ("turnaround", po::value(&raw.turnaround)->default_value(raw.turnaround),
         "RTU reply delay after the request's t3.5 silence (e.g. 2ms, 0)")
        ("tx-start-delay", po::value(&raw.tx_start_delay)->default_value(raw.tx_start_delay),
         "RTU: RTS raised to first character (the meter's TX Start Delay)")
        ("tx-end-delay", po::value(&raw.tx_end_delay)->default_value(raw.tx_end_delay),
         "RTU: last character to RTS dropped (the meter's TX End Delay)")
        ("strict-t15", po::bool_switch(&o.rtu.strict_t15),
         "RTU: discard a request with a gap over t1.5 (default: tolerate it, like the meter)")
        ("fault", po::value(&raw.faults)->composing(),
         "start with a fault, repeatable: <meter>=none|off|slow:<duration>|late:<duration>|exception:<code>|"
         "garbage|crc|wrong-address|noise")
        ("control", po::value(&o.control_path),
         "Unix socket for runtime commands (fault, freeze, stats, dnp3 ..., dlms ...)")
        ("serve-log", po::value(&o.serve_log_path), "write one JSON line per read answered with data to this file")
        ("print-ports", po::bool_switch(&o.print_ports),
         "print '<meter> <host> <port>' per TCP meter (Modbus, DNP3 or DLMS), '<meter> rtu <device> <address>' "
         "per slave, '<meter> dnp3-serial <device> <address>' per DNP3 serial outstation and "
         "'<meter> dlms-serial <device> <physical id>' per DLMS serial meter")
        ("log-level", po::value(&raw.log_level)->default_value("info"), "trace|debug|info|warn|error|off (stderr)")
        ("trace", po::value(&o.trace_meters)->composing(), "hex-dump this meter's traffic to stderr, repeatable")
        ("dnp3-meters", po::value(&o.dnp3_meters)->default_value(o.dnp3_meters),
         "number of DNP3 TCP outstations (0..1000), each on its own port")
        ("dnp3-id-prefix", po::value(&o.dnp3_id_prefix)->default_value(o.dnp3_id_prefix),
         "DNP3 TCP outstations are <prefix>1..<prefix>N, serial ones <prefix><address>")
        ("dnp3-base-port", po::value(&raw.dnp3_base_port)->default_value(raw.dnp3_base_port),
         "DNP3 outstation i (0-based) listens on base + i; 0 picks free ports and prints them")
        ("dnp3-address", po::value(&raw.dnp3_address)->default_value(raw.dnp3_address),
         "link address of every DNP3 TCP outstation (1..65519)")
        ("dnp3-serial", po::value(&o.dnp3_serial_device),
         "serve DNP3 outstations on this serial device (at --baud, --parity, --stop-bits)")
        ("dnp3-serial-pty", po::bool_switch(&o.dnp3_serial_pty),
         "serve DNP3 outstations on a new pty and print 'dnp3-bus <path>'")
        ("dnp3-on-rtu-line", po::bool_switch(&o.dnp3_on_rtu_line),
         "serve the DNP3 serial outstations on the RTU bus's line (--rtu or --rtu-pty), told apart from Modbus "
         "by their 05 64 start; also implied by --dnp3-serial naming the --rtu device")
        ("dnp3-slaves", po::value(&raw.dnp3_slaves)->default_value(raw.dnp3_slaves),
         "DNP3 link addresses on the serial line, e.g. 1-4 (1..65519)")
        ("dnp3-freeze-period", po::value(&raw.dnp3_freeze_period)->default_value(raw.dnp3_freeze_period),
         "register freeze period, aligned to the meter's clock; each freeze makes frozen-counter events")
        ("dnp3-write-time-interval",
         po::value(&raw.dnp3_write_time_interval)->default_value(raw.dnp3_write_time_interval),
         "NEED_TIME is set this long after the last time set (0 = never)")
        ("dnp3-link-confirm", po::value(&raw.dnp3_link_confirm)->default_value(raw.dnp3_link_confirm),
         "our frames as confirmed user data: never, multi (multi-frame fragments) or always")
        ("dnp3-link-retries", po::value(&raw.dnp3_link_retries)->default_value(raw.dnp3_link_retries),
         "re-sendings of a confirmed frame without ACK (0..255)")
        ("dnp3-link-timeout", po::value(&raw.dnp3_link_timeout)->default_value(raw.dnp3_link_timeout),
         "wait for a link ACK")
        ("dnp3-confirm-timeout", po::value(&raw.dnp3_confirm_timeout)->default_value(raw.dnp3_confirm_timeout),
         "wait for an application confirm; events not confirmed go out again")
        ("dnp3-index-base", po::value(&raw.dnp3_index_base)->default_value(raw.dnp3_index_base),
         "wire index of JEMWare point 1: 0 or 1")
        ("dnp3-event-buffer", po::value(&o.dnp3.event_buffer)->default_value(o.dnp3.event_buffer),
         "frozen-counter events held until confirmed (the newest are lost when full)")
        ("dnp3-counters", po::value(&o.dnp3.counters)->default_value(o.dnp3.counters),
         "counter points (1..300): Modbus counters 0.. (Wh del, Wh rec, varh del, varh rec, VAh del, ...)")
        ("dnp3-analogs", po::value(&o.dnp3.analogs)->default_value(o.dnp3.analogs), "analog points (1..200)")
        ("dnp3-no-global-time-set", po::bool_switch(&raw.dnp3_no_global_time_set),
         "ignore the master's time sets (the meter's Global Time Set unchecked)")
        ("dnp3-clock-offset", po::value(&raw.dnp3_clock_offset)->default_value(raw.dnp3_clock_offset),
         "start the meters' clocks this far off the system clock, e.g. -5s")
        ("dnp3-clock-drift", po::value(&o.dnp3.clock_drift_ppm)->default_value(o.dnp3.clock_drift_ppm),
         "the meters' clocks run fast by this many ppm (negative: slow)")
        ("dnp3-max-connections", po::value(&o.dnp3_max_connections)->default_value(o.dnp3_max_connections),
         "concurrent TCP connections per outstation; one more is accepted and closed at once")
        ("dnp3-inactivity-timeout",
         po::value(&raw.dnp3_inactivity_timeout)->default_value(raw.dnp3_inactivity_timeout),
         "close a DNP3 TCP connection silent this long (0 = never)");
    return d;
}

CommandLine fail(std::string message) {
    CommandLine out;
    out.outcome = CommandLine::Outcome::error;
    out.text = "metersim: " + std::move(message) + " (see --help)";
    return out;
}

// A delay option: a duration with its unit, or a bare 0.
bool parse_delay(const std::string& text, Duration& out) {
    if (text == "0") {
        out = Duration::zero();
        return true;
    }
    return parse_duration(text, out);
}

bool parse_address(std::string_view text, unsigned highest, unsigned& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() && out >= 1 && out <= highest;
}

// The serial part of the command line (the RTU bus, and the line settings the DNP3
// serial line shares with it), checked; empty when all is well.
std::string check_rtu(SimOptions& o, const RawOptions& raw, const po::variables_map& vm) {
    const bool line_option_used = !vm["baud"].defaulted() || !vm["parity"].defaulted() ||
                                  !vm["data-bits"].defaulted() || !vm["stop-bits"].defaulted();
    const bool rtu_option_used = !vm["slaves"].defaulted() || !vm["turnaround"].defaulted() ||
                                 !vm["tx-start-delay"].defaulted() || !vm["tx-end-delay"].defaulted() ||
                                 o.rtu.strict_t15;
    const bool serial = o.rtu_enabled() || o.dnp3_serial_enabled() || o.dlms_serial_enabled();
    if (rtu_option_used && !o.rtu_enabled()) return "RTU options need --rtu DEVICE or --rtu-pty";
    if (line_option_used && !serial) return "RTU options need --rtu DEVICE or --rtu-pty";
    if (!serial) return "";
    if (o.rtu_pty && !o.rtu_device.empty()) return "--rtu and --rtu-pty are exclusive (one bus per process)";

    std::string error;
    if (o.rtu_enabled() && !parse_slave_list(raw.slaves, o.rtu_slaves, error))
        return "--slaves " + raw.slaves + ": " + error;
    if (!is_standard_baud(raw.baud))
        return "--baud must be one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200";
    o.rtu.line.baud = raw.baud;
    if (raw.parity == "none") o.rtu.line.parity = Parity::none;
    else if (raw.parity == "even") o.rtu.line.parity = Parity::even;
    else if (raw.parity == "odd") o.rtu.line.parity = Parity::odd;
    else return "--parity must be none, even or odd";
    if (raw.data_bits != 8) return "--data-bits must be 8 (Modbus RTU sends 8-bit bytes)";
    if (raw.stop_bits != 1 && raw.stop_bits != 2) return "--stop-bits must be 1 or 2";
    o.rtu.line.stop_bits = static_cast<std::uint8_t>(raw.stop_bits);
    if (!parse_delay(raw.turnaround, o.rtu.turnaround)) return "--turnaround needs a duration such as 2ms or 0";
    if (!parse_delay(raw.tx_start_delay, o.rtu.tx_start_delay))
        return "--tx-start-delay needs a duration such as 40ms or 0";
    if (!parse_delay(raw.tx_end_delay, o.rtu.tx_end_delay)) return "--tx-end-delay needs a duration such as 40ms or 0";
    return "";
}

// The DNP3 part of the command line, checked; empty when all is well.
std::string check_dnp3(SimOptions& o, const RawOptions& raw, const po::variables_map& vm) {
    if (o.dnp3_serial_pty && !o.dnp3_serial_device.empty())
        return "--dnp3-serial and --dnp3-serial-pty are exclusive (one DNP3 line per process)";
    if (!o.rtu_device.empty() && o.dnp3_serial_device == o.rtu_device) o.dnp3_on_rtu_line = true;
    if (o.dnp3_on_rtu_line) {
        if (!o.rtu_enabled()) return "--dnp3-on-rtu-line needs --rtu DEVICE or --rtu-pty";
        if (o.dnp3_serial_pty || (!o.dnp3_serial_device.empty() && o.dnp3_serial_device != o.rtu_device))
            return "--dnp3-on-rtu-line puts the DNP3 outstations on the RTU line: no other --dnp3-serial or "
                   "--dnp3-serial-pty";
    }
    if (o.dnp3_meters > max_meters) return "--dnp3-meters must be 0.." + std::to_string(max_meters);
    if (!o.dnp3_serial_enabled() && !vm["dnp3-slaves"].defaulted())
        return "--dnp3-slaves needs --dnp3-serial DEVICE or --dnp3-serial-pty";
    std::string error;
    if (o.dnp3_serial_enabled() && !parse_dnp3_address_list(raw.dnp3_slaves, o.dnp3_slaves, error))
        return "--dnp3-slaves " + raw.dnp3_slaves + ": " + error;
    if (o.dnp3_id_prefix.empty()) return "--dnp3-id-prefix must not be empty";
    if (raw.dnp3_address < 1 || raw.dnp3_address > highest_dnp3_address)
        return "--dnp3-address must be 1.." + std::to_string(highest_dnp3_address);
    o.dnp3.address = static_cast<std::uint16_t>(raw.dnp3_address);
    if (raw.dnp3_base_port != 0 && raw.dnp3_base_port + std::max<std::size_t>(o.dnp3_meters, 1) - 1 > 65535)
        return "--dnp3-base-port + --dnp3-meters - 1 must stay below 65536";
    o.dnp3_base_port = static_cast<std::uint16_t>(raw.dnp3_base_port);
    if (!parse_duration(raw.dnp3_freeze_period, o.dnp3.freeze_period) ||
        o.dnp3.freeze_period < std::chrono::milliseconds(1))
        return "--dnp3-freeze-period needs a duration such as 15m or 2s";
    if (!parse_delay(raw.dnp3_write_time_interval, o.dnp3.write_time_interval))
        return "--dnp3-write-time-interval needs a duration such as 1m, or 0";
    if (!parse_link_confirm_mode(raw.dnp3_link_confirm, o.dnp3.link_confirm))
        return "--dnp3-link-confirm must be never, multi or always";
    if (raw.dnp3_link_retries > 255) return "--dnp3-link-retries must be 0..255";
    o.dnp3.link_retries = raw.dnp3_link_retries;
    if (!parse_duration(raw.dnp3_link_timeout, o.dnp3.link_timeout))
        return "--dnp3-link-timeout needs a duration such as 1s";
    if (!parse_duration(raw.dnp3_confirm_timeout, o.dnp3.confirm_timeout))
        return "--dnp3-confirm-timeout needs a duration such as 5s";
    if (raw.dnp3_index_base > 1) return "--dnp3-index-base must be 0 or 1";
    o.dnp3.index_base = raw.dnp3_index_base;
    if (o.dnp3.event_buffer < 1 || o.dnp3.event_buffer > 100000) return "--dnp3-event-buffer must be 1..100000";
    if (o.dnp3.counters < 1 || o.dnp3.counters > max_dnp3_counters)
        return "--dnp3-counters must be 1.." + std::to_string(max_dnp3_counters);
    if (o.dnp3.analogs < 1 || o.dnp3.analogs > max_dnp3_analogs)
        return "--dnp3-analogs must be 1.." + std::to_string(max_dnp3_analogs);
    o.dnp3.global_time_set = !raw.dnp3_no_global_time_set;
    if (!parse_signed_duration(raw.dnp3_clock_offset, o.dnp3.clock_offset))
        return "--dnp3-clock-offset needs a signed duration such as -5s";
    if (!(o.dnp3.clock_drift_ppm > -1e5 && o.dnp3.clock_drift_ppm < 1e5))
        return "--dnp3-clock-drift must be within +-100000 ppm";
    if (o.dnp3_max_connections < 1) return "--dnp3-max-connections must be at least 1";
    if (!parse_delay(raw.dnp3_inactivity_timeout, o.dnp3_inactivity_timeout))
        return "--dnp3-inactivity-timeout needs a duration such as 30s, or 0";
    return "";
}

// "1-8", "1,3,5-7": addresses 1..highest into `addresses`.
bool parse_address_set(std::string_view text, unsigned highest, std::set<unsigned>& addresses, std::string& error) {
    while (!text.empty()) {
        const auto comma = text.find(',');
        const std::string_view item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        const auto dash = item.find('-');
        unsigned first = 0;
        unsigned last = 0;
        const bool ok = dash == std::string_view::npos
                            ? parse_address(item, highest, first) && parse_address(item, highest, last)
                            : parse_address(item.substr(0, dash), highest, first) &&
                                  parse_address(item.substr(dash + 1), highest, last);
        if (!ok || first > last) {
            error = "'" + std::string(item) + "' is not an address or range within 1.." + std::to_string(highest);
            return false;
        }
        for (unsigned a = first; a <= last; ++a) {
            if (!addresses.insert(a).second) {
                error = "address " + std::to_string(a) + " is listed twice";
                return false;
            }
        }
    }
    if (addresses.empty()) {
        error = "no addresses";
        return false;
    }
    return true;
}

}  // namespace

bool parse_slave_list(std::string_view text, std::vector<std::uint8_t>& out, std::string& error) {
    std::set<unsigned> addresses;
    if (!parse_address_set(text, highest_slave_address, addresses, error)) return false;
    out.clear();
    for (const unsigned a : addresses) out.push_back(static_cast<std::uint8_t>(a));
    return true;
}

bool parse_dnp3_address_list(std::string_view text, std::vector<std::uint16_t>& out, std::string& error) {
    std::set<unsigned> addresses;
    if (!parse_address_set(text, highest_dnp3_address, addresses, error)) return false;
    out.clear();
    for (const unsigned a : addresses) out.push_back(static_cast<std::uint16_t>(a));
    return true;
}

bool parse_dlms_physical_id_list(std::string_view text, std::vector<std::uint16_t>& out, std::string& error) {
    std::set<unsigned> ids;
    if (!parse_address_set(text, highest_dlms_physical_id, ids, error)) return false;
    if (*ids.begin() < lowest_dlms_physical_id) {
        error = "physical ID " + std::to_string(*ids.begin()) + " is below " + std::to_string(lowest_dlms_physical_id);
        return false;
    }
    out.clear();
    for (const unsigned id : ids) out.push_back(static_cast<std::uint16_t>(id));
    return true;
}

CommandLine parse_command_line(int argc, const char* const argv[]) {
    CommandLine out;
    SimOptions& o = out.options;
    RawOptions raw;
    DlmsRawOptions dlms_raw;
    PqdifRawOptions pqdif_raw;
    po::options_description description = describe(o, raw);
    describe_dlms(description, o, dlms_raw);
    describe_pqdif(description, o, pqdif_raw);

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

    if (const std::string error = check_rtu(o, raw, vm); !error.empty()) return fail(error);
    if (const std::string error = check_dnp3(o, raw, vm); !error.empty()) return fail(error);
    if (const std::string error = check_dlms(o, dlms_raw, vm); !error.empty()) return fail(error);
    if (const std::string error = check_pqdif_options(o, pqdif_raw, vm); !error.empty()) return fail(error);
    // With an RTU bus, DNP3 outstations, DLMS meters or a PQDIF folder, Modbus TCP meters
    // are served only when asked for.
    const bool other_meters = o.rtu_enabled() || o.dnp3_enabled() || o.dlms_enabled() || o.pqdif.enabled();
    if (other_meters && vm["meters"].defaulted()) o.meters = 0;
    const std::size_t min_meters = other_meters ? 0 : 1;
    if (o.meters < min_meters || o.meters > max_meters)
        return fail("--meters must be " + std::to_string(min_meters) + ".." + std::to_string(max_meters));
    if (o.id_prefix.empty()) return fail("--id-prefix must not be empty");
    if (raw.unit_id > 254) return fail("--unit-id must be 0..254");
    o.unit_id = static_cast<std::uint8_t>(raw.unit_id);
    if (raw.base_port != 0 && o.meters > 0 && raw.base_port + o.meters - 1 > 65535)
        return fail("--base-port + --meters - 1 must stay below 65536");
    o.base_port = static_cast<std::uint16_t>(raw.base_port);
    if (o.layout.counter_pairs < 1 || o.layout.counter_pairs > max_counter_pairs)
        return fail("--counter-pairs must be 1.." + std::to_string(max_counter_pairs));
    if (o.max_connections < 1) return fail("--max-connections must be at least 1");
    if (!parse_log_level(raw.log_level, o.log_level)) return fail("unknown --log-level '" + raw.log_level + "'");

    std::set<std::string> ids;
    for (std::size_t i = 0; i < o.meters; ++i) ids.insert(o.meter_id(i));
    if (o.rtu_enabled()) {
        for (const std::uint8_t address : o.rtu_slaves) {
            if (!ids.insert(o.rtu_meter_id(address)).second) {
                const std::string tcp_ids = o.meter_id(0) + ".." + o.meter_id(o.meters - 1);
                return fail("RTU slave " + o.rtu_meter_id(address) + " has the id of a TCP meter (" + tcp_ids +
                            "); choose other --slaves or fewer --meters");
            }
        }
    }
    std::set<std::string> dnp3_ids;
    for (std::size_t i = 0; i < o.dnp3_meters; ++i) dnp3_ids.insert(o.dnp3_meter_id(i));
    if (o.dnp3_serial_enabled()) {
        for (const std::uint16_t address : o.dnp3_slaves) {
            if (!dnp3_ids.insert(o.dnp3_serial_meter_id(address)).second)
                return fail("DNP3 serial outstation " + o.dnp3_serial_meter_id(address) +
                            " has the id of a DNP3 TCP outstation; choose other --dnp3-slaves or --dnp3-id-prefix");
        }
    }
    for (const std::string& id : dnp3_ids)
        if (ids.count(id) != 0)
            return fail("DNP3 outstation " + id + " has the id of a Modbus meter; change --dnp3-id-prefix");
    if (const std::string error = check_dlms_ids(o, ids, dnp3_ids); !error.empty()) return fail(error);
    for (const std::string& text : raw.faults) {
        std::string meter;
        Fault fault;
        std::string error;
        if (!parse_fault_assignment(text, meter, fault, error)) return fail("--fault " + text + ": " + error);
        if (ids.count(meter) == 0 && dnp3_ids.count(meter) == 0)
            return fail("--fault " + text + ": no meter '" + meter + "'");
        if (dnp3_ids.count(meter) != 0 && !is_dnp3_fault(fault.kind))
            return fail("--fault " + text + ": '" + to_string(fault) + "' is a Modbus fault");
        o.faults.emplace_back(meter, fault);
    }
    return out;
}

}  // namespace gridgate::sim
