#include "dnp3_control.hpp"

#include "gridgate/sim/control_commands.hpp"
#include "json_text.hpp"

namespace gridgate::sim {

namespace {

constexpr std::string_view dnp3_usage =
    "dnp3 freeze <meter>|drop-confirms <meter> on|off|restart <meter>|clock <meter> <offset>|stats";

std::string error(std::string_view why) { return "error: " + std::string(why); }

void append_field(std::string& out, std::string_view name, std::uint64_t value) {
    out.append(",\"").append(name).append("\":");
    json::append_number(out, value);
}

void append_outstation(std::string& out, const Dnp3Outstation& o, const Dnp3Now& now) {
    const Dnp3Stats& s = o.stats();
    json::append_string(out, o.id());
    out.append(":{\"address\":");
    json::append_number(out, unsigned{o.address()});
    if (o.bus().empty()) {
        out.append(",\"port\":");
        json::append_number(out, unsigned{o.port()});
    } else {
        out.append(",\"bus\":");
        json::append_string(out, o.bus());
    }
    out.append(",\"fault\":");
    json::append_string(out, to_string(o.fault()));
    out.append(",\"drop_confirms\":").append(o.drop_confirms() ? "true" : "false");
    out.append(",\"iin\":");
    json::append_string(out, o.iin(now).describe());
    out.append(",\"clock_offset_ms\":");
    json::append_number(out, static_cast<std::int64_t>(o.meter_time_ms(now.utc_us)) - now.utc_us / 1000);
    append_field(out, "events_generated", s.events_generated);
    append_field(out, "events_sent", s.events_sent);
    append_field(out, "events_confirmed", s.events_confirmed);
    append_field(out, "events_pending", o.events_pending());
    append_field(out, "events_lost", s.events_lost);
    append_field(out, "freezes", s.freezes);
    append_field(out, "time_sets", s.time_sets);
    append_field(out, "time_sets_ignored", s.time_sets_ignored);
    append_field(out, "restarts", s.restarts);
    append_field(out, "requests", s.requests);
    append_field(out, "responses", s.responses);
    append_field(out, "bad_requests", s.bad_requests);
    append_field(out, "broadcasts", s.broadcasts);
    append_field(out, "confirms", s.confirms);
    append_field(out, "confirms_dropped", s.confirms_dropped);
    append_field(out, "confirms_unexpected", s.confirms_unexpected);
    append_field(out, "confirm_timeouts", s.confirm_timeouts);
    append_field(out, "unanswered", s.unanswered);
    append_field(out, "connections", s.connections);
    append_field(out, "rejected_connections", s.rejected_connections);
    append_field(out, "inactivity_closes", s.inactivity_closes);
    append_field(out, "frames_rx", s.frames_rx);
    append_field(out, "frames_tx", s.frames_tx);
    append_field(out, "rx_bytes", s.rx_bytes);
    append_field(out, "tx_bytes", s.tx_bytes);
    append_field(out, "link_resets", s.link.resets);
    append_field(out, "link_repeated_fcb", s.link.repeated_fcb);
    append_field(out, "link_not_reset", s.link.not_reset);
    append_field(out, "link_confirmed_sent", s.link.confirmed_sent);
    append_field(out, "link_retries", s.link.retries);
    append_field(out, "link_failures", s.link.failures);
    out.push_back('}');
}

}  // namespace

bool parse_signed_duration(std::string_view text, Duration& out) {
    bool negative = false;
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    Duration d{0};
    if (text != "0" && !parse_duration(std::string(text), d)) return false;
    out = negative ? -d : d;
    return true;
}

std::string dnp3_stats_json(const Dnp3Fleet& fleet, const Dnp3Now& now) {
    std::string out = "{\"dnp3\":{";
    for (std::size_t i = 0; i < fleet.size(); ++i) {
        if (i != 0) out.push_back(',');
        append_outstation(out, fleet[i], now);
    }
    out.append("}}");
    return out;
}

std::string run_dnp3_command(const std::vector<std::string_view>& words, Dnp3Fleet* fleet, const Dnp3Now& now) {
    if (words.size() < 2) return error("usage: " + std::string(dnp3_usage));
    const std::string_view verb = words[1];
    if (verb == "stats" && words.size() == 2) {
        if (fleet == nullptr) return "{\"dnp3\":{}}";
        return dnp3_stats_json(*fleet, now);
    }
    if (words.size() < 3) return error("usage: " + std::string(dnp3_usage));
    Dnp3Outstation* o = fleet == nullptr ? nullptr : fleet->find(words[2]);
    if (o == nullptr) return error("unknown DNP3 meter '" + std::string(words[2]) + "'");
    if (verb == "freeze" && words.size() == 3) {
        o->freeze_now(now);
        return "ok";
    }
    if (verb == "restart" && words.size() == 3) {
        o->restart(now);
        return "ok";
    }
    if (verb == "drop-confirms") {
        if (words.size() != 4 || (words[3] != "on" && words[3] != "off"))
            return error("usage: dnp3 drop-confirms <meter> on|off");
        o->set_drop_confirms(words[3] == "on");
        return "ok";
    }
    if (verb == "clock") {
        Duration offset{0};
        if (words.size() != 4 || !parse_signed_duration(words[3], offset))
            return error("usage: dnp3 clock <meter> <offset>, e.g. -5s, +2m, 0");
        o->set_clock_offset(offset, now);
        return "ok";
    }
    return error("usage: " + std::string(dnp3_usage));
}

}  // namespace gridgate::sim
