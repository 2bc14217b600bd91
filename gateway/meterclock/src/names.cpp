// The names of the policy's enums as they appear in configuration and audit details.
#include <array>

#include "gridgate/meterclock/policy.hpp"

namespace gridgate::meterclock {

namespace {
constexpr std::array<std::string_view, 3> protocol_names{"modbus", "dnp3", "dlms"};
}  // namespace

std::string_view to_string(ClockProtocol p) { return protocol_names.at(static_cast<std::size_t>(p)); }

std::optional<ClockProtocol> clock_protocol_from(std::string_view name) {
    for (std::size_t i = 0; i < protocol_names.size(); ++i)
        if (protocol_names[i] == name) return static_cast<ClockProtocol>(i);
    return std::nullopt;
}

std::string_view to_string(GatewayTimeQuality q) {
    switch (q) {
        case GatewayTimeQuality::synced: return "synced";
        case GatewayTimeQuality::holdover: return "holdover";
        case GatewayTimeQuality::unsynced: return "unsynced";
    }
    return "unknown";
}

std::string_view to_string(ClockAction a) {
    switch (a) {
        case ClockAction::none: return "none";
        case ClockAction::set: return "set";
        case ClockAction::postpone: return "postpone";
        case ClockAction::refuse: return "refuse";
    }
    return "unknown";
}

std::string_view to_string(ClockReason r) {
    switch (r) {
        case ClockReason::within_tolerance: return "within_tolerance";
        case ClockReason::out_of_tolerance: return "out_of_tolerance";
        case ClockReason::large_step_allowed: return "large_step_allowed";
        case ClockReason::large_step_forced: return "large_step_forced";
        case ClockReason::gateway_unsynced: return "gateway_unsynced";
        case ClockReason::uncertain: return "uncertain";
        case ClockReason::set_not_allowed: return "set_not_allowed";
        case ClockReason::too_large: return "too_large";
        case ClockReason::guard_window: return "guard_window";
    }
    return "unknown";
}

}  // namespace gridgate::meterclock
