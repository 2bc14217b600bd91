#pragma once
// metersim's command line, parsed into a typed struct with documented defaults.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gridgate/core/log.hpp"
#include "gridgate/sim/fault.hpp"
#include "gridgate/sim/register_map.hpp"

namespace gridgate::sim {

inline constexpr std::uint16_t default_base_port = 5020;  // 502 (the meter's) needs root

struct SimOptions {
    std::size_t meters = 1;
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

    std::string meter_id(std::size_t index) const { return id_prefix + std::to_string(index + 1); }
};

struct CommandLine {
    enum class Outcome { run, show_help, error };
    Outcome outcome = Outcome::run;
    SimOptions options;
    std::string text;  // help text or error message
};

CommandLine parse_command_line(int argc, const char* const argv[]);

}  // namespace gridgate::sim
