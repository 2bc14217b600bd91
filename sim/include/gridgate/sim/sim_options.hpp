#pragma once
// metersim's command line, parsed into a typed struct with documented defaults.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gridgate/core/log.hpp"
#include "gridgate/sim/dlms_hdlc_server.hpp"
#include "gridgate/sim/dlms_server.hpp"
#include "gridgate/sim/dnp3_options.hpp"
#include "gridgate/sim/fault.hpp"
#include "gridgate/sim/pqdif_options.hpp"
#include "gridgate/sim/register_map.hpp"
#include "gridgate/sim/rtu_options.hpp"

namespace gridgate::sim {

inline constexpr std::uint16_t default_base_port = 5020;  // 502 (the meter's) needs root
inline constexpr std::uint16_t default_dnp3_base_port = 20000;  // the meter's DNP3 port
inline constexpr std::uint16_t highest_dnp3_address = 0xFFEF;  // 0xFFF0.. are reserved or broadcast
inline constexpr std::uint16_t default_dlms_base_port = 4059;  // the meter's DLMS port
inline constexpr std::uint16_t lowest_dlms_physical_id = 16;     // JEMWare's Physical ID range
inline constexpr std::uint16_t highest_dlms_physical_id = 16381;

struct SimOptions {
    std::size_t meters = 1;  // Modbus TCP meters; 0 by default when an RTU bus or DNP3 is served
    std::string id_prefix = "jem";  // meters are <prefix>1 .. <prefix>N
    std::string host = "127.0.0.1";
    std::uint16_t base_port = default_base_port;  // meter i (0-based) on base_port + i; 0 = free ports
    std::uint8_t unit_id = 1;                     // device address
    std::uint64_t seed = 1;
    MapLayout layout;
    bool allow_outputs = false;
    bool allow_presets = false;
    std::size_t max_connections = 2;
    std::vector<std::pair<std::string, Fault>> faults;  // applied at start
    std::string control_path;                           // empty = no control socket
    std::string serve_log_path;                         // empty = no served log
    bool print_ports = false;
    LogLevel log_level = LogLevel::info;
    std::vector<std::string> trace_meters;

    // One RTU bus per process: on a serial device (--rtu) or on a pty of its own
    // (--rtu-pty), with the slave addresses in rtu_slaves.
    std::string rtu_device;
    bool rtu_pty = false;
    std::vector<std::uint8_t> rtu_slaves{1};
    RtuBusOptions rtu;

    // DNP3 outstations: dnp3_meters on TCP (one port each, all at link address
    // dnp3.address), and one serial line (--dnp3-serial or --dnp3-serial-pty, at the RTU
    // line settings) with outstations at the addresses in dnp3_slaves. That line may be
    // the RTU bus's own (--dnp3-on-rtu-line, or --dnp3-serial naming the --rtu device):
    // then one device carries both protocols.
    std::size_t dnp3_meters = 0;
    std::string dnp3_id_prefix = "dnp";
    std::uint16_t dnp3_base_port = default_dnp3_base_port;  // meter i on base + i; 0 = free ports
    std::string dnp3_serial_device;
    bool dnp3_serial_pty = false;
    bool dnp3_on_rtu_line = false;
    std::vector<std::uint16_t> dnp3_slaves{1};
    Dnp3Options dnp3;
    std::size_t dnp3_max_connections = 5;  // per outstation port (the meter's limit)
    Duration dnp3_inactivity_timeout{0};   // 0 = never

    // DLMS/COSEM meters: dlms_meters on TCP (the wrapper, one port each) and one serial
    // line (--dlms-serial or --dlms-serial-pty, at the RTU line settings) with meters at
    // the HDLC physical IDs in dlms_physical_ids. `dlms` and `dlms_hdlc` hold what all
    // meters share; the id, seed, serial number and physical ID are set per meter.
    std::size_t dlms_meters = 0;
    std::string dlms_id_prefix = "dlms";
    std::uint16_t dlms_base_port = default_dlms_base_port;  // meter i on base + i; 0 = free ports
    std::string dlms_serial_device;
    bool dlms_serial_pty = false;
    std::vector<std::uint16_t> dlms_physical_ids{100};
    DlmsServerOptions dlms;
    DlmsHdlcOptions dlms_hdlc;
    Duration dlms_tcp_inactivity = std::chrono::seconds(60);          // 0 = never
    Duration dlms_interframe_timeout = std::chrono::milliseconds(1000);

    // The meter's PQDIF folder (--pqdif-dir and the other --pqdif-* options).
    PqdifRecorderOptions pqdif;

    std::string meter_id(std::size_t index) const { return id_prefix + std::to_string(index + 1); }
    // RTU slaves are named after their address: <prefix><address>.
    std::string rtu_meter_id(std::uint8_t address) const { return id_prefix + std::to_string(address); }
    bool rtu_enabled() const { return rtu_pty || !rtu_device.empty(); }
    std::string dnp3_meter_id(std::size_t index) const { return dnp3_id_prefix + std::to_string(index + 1); }
    // Outstations on the serial line are named after their address too.
    std::string dnp3_serial_meter_id(std::uint16_t address) const {
        return dnp3_id_prefix + std::to_string(address);
    }
    bool dnp3_serial_enabled() const { return dnp3_serial_pty || !dnp3_serial_device.empty() || dnp3_on_rtu_line; }
    bool dnp3_enabled() const { return dnp3_meters != 0 || dnp3_serial_enabled(); }
    std::string dlms_meter_id(std::size_t index) const { return dlms_id_prefix + std::to_string(index + 1); }
    // DLMS meters on the serial line are named after their physical ID: dlms100.
    std::string dlms_serial_meter_id(std::uint16_t physical_id) const {
        return dlms_id_prefix + std::to_string(physical_id);
    }
    bool dlms_serial_enabled() const { return dlms_serial_pty || !dlms_serial_device.empty(); }
    bool dlms_enabled() const { return dlms_meters != 0 || dlms_serial_enabled(); }
};

struct CommandLine {
    enum class Outcome { run, show_help, error };
    Outcome outcome = Outcome::run;
    SimOptions options;
    std::string text;  // help text or error message
};

CommandLine parse_command_line(int argc, const char* const argv[]);

// "1-8", "1,3,5-7": RTU slave addresses 1..247, no repeats; sorted. On failure returns
// false and says why in `error`.
bool parse_slave_list(std::string_view text, std::vector<std::uint8_t>& out, std::string& error);
// The same for DNP3 link addresses, 1..65519.
bool parse_dnp3_address_list(std::string_view text, std::vector<std::uint16_t>& out, std::string& error);
// The same for DLMS physical IDs, 16..16381 ("100-103", "100,200").
bool parse_dlms_physical_id_list(std::string_view text, std::vector<std::uint16_t>& out, std::string& error);

}  // namespace gridgate::sim
