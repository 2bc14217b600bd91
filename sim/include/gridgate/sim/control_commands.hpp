#pragma once
// The control socket's line protocol, independent of the socket:
//   fault <meter> none|off|slow <duration>|exception <code>|garbage   -> ok | error: ...
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

// {"meters":{"jem1":{"port":5020,"requests":12,...},...}}
std::string stats_json(const MeterFleet& fleet);

}  // namespace gridgate::sim
