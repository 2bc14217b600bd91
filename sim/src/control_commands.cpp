#include "gridgate/sim/control_commands.hpp"

#include <vector>

#include "json_text.hpp"

namespace gridgate::sim {

namespace {

constexpr std::string_view usage =
    "commands: fault <meter> none|off|slow <duration>|exception <code>|garbage; freeze <meter> on|off; stats; help";

std::vector<std::string_view> split_words(std::string_view line) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
        if (i > start) words.push_back(line.substr(start, i - start));
    }
    return words;
}

std::string error(std::string_view why) { return "error: " + std::string(why); }

std::string fault_command(const std::vector<std::string_view>& words, MeterFleet& fleet) {
    if (words.size() < 3) return error("usage: fault <meter> none|off|slow <duration>|exception <code>|garbage");
    SimulatedMeter* meter = fleet.find(words[1]);
    if (meter == nullptr) return error("unknown meter '" + std::string(words[1]) + "'");
    std::string spec(words[2]);
    for (std::size_t i = 3; i < words.size(); ++i) spec.append(" ").append(words[i]);
    Fault fault;
    std::string why;
    if (!parse_fault(spec, fault, why)) return error(why);
    meter->set_fault(fault);
    return "ok";
}

std::string freeze_command(const std::vector<std::string_view>& words, MeterFleet& fleet, SteadyTime now) {
    if (words.size() != 3 || (words[2] != "on" && words[2] != "off")) return error("usage: freeze <meter> on|off");
    SimulatedMeter* meter = fleet.find(words[1]);
    if (meter == nullptr) return error("unknown meter '" + std::string(words[1]) + "'");
    meter->model().set_frozen(words[2] == "on", now);
    return "ok";
}

void append_field(std::string& out, std::string_view name, std::uint64_t value) {
    out.append(",\"").append(name).append("\":");
    json::append_number(out, value);
}

}  // namespace

std::string run_control_command(std::string_view line, MeterFleet& fleet, SteadyTime now) {
    const std::vector<std::string_view> words = split_words(line);
    if (words.empty()) return error("empty command; " + std::string(usage));
    if (words[0] == "fault") return fault_command(words, fleet);
    if (words[0] == "freeze") return freeze_command(words, fleet, now);
    if (words[0] == "stats" && words.size() == 1) return stats_json(fleet);
    if (words[0] == "help" && words.size() == 1) return std::string(usage);
    return error("unknown command '" + std::string(line) + "'; " + std::string(usage));
}

std::string stats_json(const MeterFleet& fleet) {
    std::string out = "{\"meters\":{";
    for (std::size_t i = 0; i < fleet.size(); ++i) {
        const SimulatedMeter& meter = fleet[i];
        const MeterStats& s = meter.stats();
        if (i != 0) out.push_back(',');
        json::append_string(out, meter.id());
        out.append(":{\"port\":");
        json::append_number(out, unsigned{meter.port()});
        append_field(out, "requests", s.requests);
        append_field(out, "answered", s.answered);
        append_field(out, "exceptions", s.exceptions);
        append_field(out, "ignored_unit", s.ignored_unit);
        append_field(out, "unanswered", s.unanswered);
        append_field(out, "garbage", s.garbage);
        append_field(out, "bad_frames", s.bad_frames);
        append_field(out, "connections", s.connections);
        append_field(out, "rejected_connections", s.rejected_connections);
        out.append(",\"fault\":");
        json::append_string(out, to_string(meter.fault()));
        out.append(",\"frozen\":").append(meter.model().frozen() ? "true" : "false");
        out.push_back('}');
    }
    out.append("}}");
    return out;
}

}  // namespace gridgate::sim
