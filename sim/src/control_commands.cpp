#include "gridgate/sim/control_commands.hpp"

#include <vector>

#include "dlms_control.hpp"
#include "dnp3_control.hpp"
#include "json_text.hpp"

namespace gridgate::sim {

namespace {

std::string usage() {
    return "commands: fault <meter> " + std::string(fault_usage) +
           "; freeze <meter> on|off; stats; dnp3 freeze <meter>|drop-confirms <meter> on|off|restart <meter>|"
           "clock <meter> <offset>|stats; dlms stats|profile <meter> [from_ms to_ms]|clock <meter> <offset>|"
           "status <meter> <bits>|outage <meter> <duration>|link <meter> down|up; "
           "pqdif make [type|next] [count]|list|grow <duration>; help";
}

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

std::string fault_command(const std::vector<std::string_view>& words, MeterFleet& fleet, Dnp3Fleet* dnp3) {
    if (words.size() < 3) return error("usage: fault <meter> " + std::string(fault_usage));
    SimulatedMeter* meter = fleet.find(words[1]);
    Dnp3Outstation* outstation = meter != nullptr || dnp3 == nullptr ? nullptr : dnp3->find(words[1]);
    if (meter == nullptr && outstation == nullptr) return error("unknown meter '" + std::string(words[1]) + "'");
    std::string spec(words[2]);
    for (std::size_t i = 3; i < words.size(); ++i) spec.append(" ").append(words[i]);
    Fault fault;
    std::string why;
    if (!parse_fault(spec, fault, why)) return error(why);
    if (meter != nullptr) {
        meter->set_fault(fault);
        return "ok";
    }
    if (!is_dnp3_fault(fault.kind)) return error("fault '" + to_string(fault) + "' is Modbus only");
    outstation->set_fault(fault);
    return "ok";
}

std::string freeze_command(const std::vector<std::string_view>& words, MeterFleet& fleet, Dnp3Fleet* dnp3,
                           SteadyTime now) {
    if (words.size() != 3 || (words[2] != "on" && words[2] != "off")) return error("usage: freeze <meter> on|off");
    MeterModel* model = nullptr;
    Dnp3Outstation* outstation = dnp3 == nullptr ? nullptr : dnp3->find(words[1]);
    if (SimulatedMeter* meter = fleet.find(words[1])) model = &meter->model();
    else if (outstation != nullptr) model = &outstation->model();
    if (model == nullptr) return error("unknown meter '" + std::string(words[1]) + "'");
    model->set_frozen(words[2] == "on", now);
    return "ok";
}

void append_field(std::string& out, std::string_view name, std::uint64_t value) {
    out.append(",\"").append(name).append("\":");
    json::append_number(out, value);
}

void append_bus(std::string& out, const BusInfo& bus) {
    const BusStats& s = bus.stats;
    out.append("{\"device\":");
    json::append_string(out, bus.device);
    out.append(",\"line\":");
    json::append_string(out, to_string(bus.line));
    out.append(",\"slaves\":[");
    for (std::size_t i = 0; i < bus.slaves.size(); ++i) {
        if (i != 0) out.push_back(',');
        json::append_number(out, unsigned{bus.slaves[i]});
    }
    out.push_back(']');
    append_field(out, "rx_bytes", s.rx_bytes);
    append_field(out, "frames", s.frames);
    append_field(out, "garbage_bytes", s.garbage_bytes);
    append_field(out, "broken_frames", s.broken_frames);
    append_field(out, "other_address", s.other_address);
    append_field(out, "broadcasts", s.broadcasts);
    append_field(out, "replies", s.replies);
    append_field(out, "tx_bytes", s.tx_bytes);
    append_field(out, "tx_dropped_bytes", s.tx_dropped_bytes);
    append_field(out, "tx_start_late_max_us", s.tx_start_late_max_us);
    append_field(out, "tx_late_max_us", s.tx_late_max_us);
    out.push_back('}');
}

void append_buses(std::string& out, const MeterFleet& fleet) {
    out.append(",\"buses\":[");
    for (std::size_t i = 0; i < fleet.bus_count(); ++i) {
        if (i != 0) out.push_back(',');
        append_bus(out, fleet.bus(i));
    }
    out.push_back(']');
}

}  // namespace

std::string run_control_command(std::string_view line, MeterFleet& fleet, SteadyTime now) {
    return run_control_command(line, fleet, nullptr, Dnp3Now{now, 0});
}

std::string run_control_command(std::string_view line, MeterFleet& fleet, Dnp3Fleet* dnp3, const Dnp3Now& now) {
    return run_control_command(line, fleet, dnp3, nullptr, now);
}

std::string run_control_command(std::string_view line, MeterFleet& fleet, Dnp3Fleet* dnp3, DlmsFleet* dlms,
                                const Dnp3Now& now) {
    return run_control_command(line, fleet, dnp3, dlms, nullptr, now);
}

std::string run_control_command(std::string_view line, MeterFleet& fleet, Dnp3Fleet* dnp3, DlmsFleet* dlms,
                                PqdifControl* pqdif, const Dnp3Now& now) {
    const std::vector<std::string_view> words = split_words(line);
    if (words.empty()) return error("empty command; " + usage());
    if (words[0] == "fault") return fault_command(words, fleet, dnp3);
    if (words[0] == "freeze") return freeze_command(words, fleet, dnp3, now.steady);
    if (words[0] == "dnp3") return run_dnp3_command(words, dnp3, now);
    if (words[0] == "dlms") return run_dlms_command(words, dlms, now.utc_us);
    if (words[0] == "pqdif") return run_pqdif_command(words, pqdif);
    if (words[0] == "stats" && words.size() == 1) return stats_json(fleet);
    if (words[0] == "help" && words.size() == 1) return usage();
    return error("unknown command '" + std::string(line) + "'; " + usage());
}

std::string stats_json(const MeterFleet& fleet) {
    std::string out = "{\"meters\":{";
    for (std::size_t i = 0; i < fleet.size(); ++i) {
        const SimulatedMeter& meter = fleet[i];
        const MeterStats& s = meter.stats();
        if (i != 0) out.push_back(',');
        json::append_string(out, meter.id());
        if (meter.bus().empty()) {
            out.append(":{\"port\":");
            json::append_number(out, unsigned{meter.port()});
        } else {
            out.append(":{\"bus\":");
            json::append_string(out, meter.bus());
            out.append(",\"address\":");
            json::append_number(out, unsigned{meter.device_address()});
        }
        append_field(out, "requests", s.requests);
        append_field(out, "answered", s.answered);
        append_field(out, "exceptions", s.exceptions);
        append_field(out, "ignored_unit", s.ignored_unit);
        append_field(out, "unanswered", s.unanswered);
        append_field(out, "garbage", s.garbage);
        append_field(out, "bad_frames", s.bad_frames);
        append_field(out, "connections", s.connections);
        append_field(out, "rejected_connections", s.rejected_connections);
        append_field(out, "broadcasts", s.broadcasts);
        append_field(out, "bad_crc", s.bad_crc);
        append_field(out, "wrong_address", s.wrong_address);
        append_field(out, "rx_bytes", s.rx_bytes);
        append_field(out, "tx_bytes", s.tx_bytes);
        out.append(",\"fault\":");
        json::append_string(out, to_string(meter.fault()));
        out.append(",\"frozen\":").append(meter.model().frozen() ? "true" : "false");
        out.push_back('}');
    }
    out.push_back('}');
    if (fleet.bus_count() != 0) append_buses(out, fleet);
    out.push_back('}');
    return out;
}

}  // namespace gridgate::sim
