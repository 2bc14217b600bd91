#include "gridgate/core/reading.hpp"

#include <array>

namespace gridgate {

std::vector<std::string_view> quality_names(std::uint32_t flags) {
    static constexpr std::array<std::string_view, 15> names = {
        "invalid",   "time_unsynced", "meter_clock_suspect", "refilled",   "overflow",   "estimated",
        "clock_step", "events_lost",  "power_outage",        "billing_reset", "test_mode", "config_change",
        "dst_change", "meter_diagnostic", "time_holdover"};
    std::vector<std::string_view> out;
    if (flags == quality::good) {
        out.emplace_back("good");
        return out;
    }
    for (std::size_t i = 0; i < names.size(); ++i)
        if (flags & (1u << i)) out.push_back(names[i]);
    return out;
}

std::string_view to_string(Source s) {
    switch (s) {
        case Source::modbus_tcp: return "modbus_tcp";
        case Source::modbus_rtu: return "modbus_rtu";
        case Source::dnp3: return "dnp3";
        case Source::dlms: return "dlms";
        case Source::gateway: return "gateway";
    }
    return "unknown";
}

}  // namespace gridgate
