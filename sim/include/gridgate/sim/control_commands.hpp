#pragma once
// The control socket's line protocol, independent of the socket:
//   fault <meter> <fault> (see fault_usage)                            -> ok | error: ...
//   freeze <meter> on|off                                              -> ok | error: ...
//   stats                                                              -> one JSON line
//   help                                                               -> one line of usage
#include <string>
#include <string_view>

#include "gridgate/core/time.hpp"
#include "gridgate/sim/simulated_meter.hpp"

namespace gridgate::sim {

// Runs one command line (without its newline); returns the reply line (without one).
std::string run_control_command(std::string_view line, MeterFleet& fleet, SteadyTime now);

// {"meters":{"jem1":{"port":5020,"requests":12,...},"jem3":{"bus":"/dev/pts/4",
//  "address":3,...}},"buses":[{"device":"/dev/pts/4","line":"19200 8N1",...}]}
// ("buses" only when the fleet has RTU buses).
std::string stats_json(const MeterFleet& fleet);

}  // namespace gridgate::sim
