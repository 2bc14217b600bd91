#pragma once
// The `dnp3 ...` control commands and the DNP3 part of `fault` / `freeze` (private to
// control_commands.cpp; the language is documented in control_commands.hpp).
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/sim/dnp3_outstation.hpp"

namespace gridgate::sim {

std::string run_dnp3_command(const std::vector<std::string_view>& words, Dnp3Fleet* fleet, const Dnp3Now& now);

// "-5s", "+2m", "250ms", "0": a signed duration; false on anything else.
bool parse_signed_duration(std::string_view text, Duration& out);

}  // namespace gridgate::sim
