#include "time_table.hpp"

#include <cstdio>
#include <iostream>
#include <string>

namespace gridgate::tools {

namespace {

using json = nlohmann::json;

std::string text(const json& j, const char* key, const std::string& none = "-") {
    if (!j.contains(key) || j[key].is_null()) return none;
    const json& v = j[key];
    if (v.is_string()) return v.get<std::string>().empty() ? none : v.get<std::string>();
    return v.dump();
}

std::string millis(const json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_number()) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+.1f ms", j[key].get<double>());
    return buf;
}

}  // namespace

void print_time(const json& report) {
    const json& g = report.value("gateway", json::object());
    std::cout << "gateway clock  " << text(g, "now") << "  quality " << text(g, "quality") << "  source "
              << text(g, "source");
    if (g.contains("chrony")) std::cout << " (" << text(g, "chrony") << ")";
    std::cout << '\n';
    if (g.contains("reference"))
        std::cout << "  reference " << text(g, "reference") << "  stratum " << text(g, "stratum") << "  offset "
                  << millis(g, "offset_ms") << "  root distance " << millis(g, "root_distance_ms")
                  << "  last update " << text(g, "since_update_s") << " s ago\n";
    if (g.contains("reason")) std::cout << "  " << text(g, "reason") << '\n';
    std::cout << "  wall-clock steps seen " << text(g, "clock_steps", "0");
    if (g.contains("last_step"))
        std::cout << ", last " << text(g["last_step"], "step_ms") << " ms at " << text(g["last_step"], "wall_after");
    std::cout << '\n';

    const json& meters = report.value("meters", json::array());
    if (meters.empty()) {
        std::cout << "no meter clocks are checked (DNP3 and DLMS meters only)\n";
        return;
    }
    std::printf("%-16s %-5s %-7s %14s  %-27s %-27s %6s\n", "meter", "proto", "online", "last offset",
                "measured", "last set", "sets");
    for (const auto& m : meters) {
        std::printf("%-16s %-5s %-7s %14s  %-27s %-27s %6s\n", text(m, "id").c_str(), text(m, "protocol").c_str(),
                    text(m, "online").c_str(), millis(m, "last_offset_ms").c_str(), text(m, "last_offset_at").c_str(),
                    text(m, "last_time_set").c_str(), text(m, "time_sets", "0").c_str());
        if (m.contains("clock") && m["clock"].is_object()) {
            const json& c = m["clock"];
            std::cout << "    policy: next check " << text(c, "next_check") << ", drift streak "
                      << text(c, "drift_streak", "0");
            if (c.contains("last_decision")) std::cout << ", last decision " << text(c, "last_decision");
            std::cout << '\n';
        }
    }
}

}  // namespace gridgate::tools
