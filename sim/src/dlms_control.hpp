#pragma once
// The `dlms ...` control commands (private to control_commands.cpp; the language is
// documented in control_commands.hpp).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/sim/dlms_meter.hpp"

namespace gridgate::sim {

// `words` starts with "dlms"; `now_utc_us` is the system time.
std::string run_dlms_command(const std::vector<std::string_view>& words, DlmsFleet* fleet, TimestampUs now_utc_us);

// {"meter":"dlms1","channels":["1.0.1.29.0.255",...],"entries":[{"end_ms":..,"status":..,
//  "values":[..]},...]} (times in ms, UTC of the meter's clock).
std::string dlms_profile_json(const DlmsMeter& meter, std::optional<TimestampUs> from_us,
                              std::optional<TimestampUs> to_us);

}  // namespace gridgate::sim
