#include "dlms_control.hpp"

#include <charconv>
#include <cmath>

#include "dnp3_control.hpp"
#include "gridgate/sim/control_commands.hpp"
#include "json_text.hpp"

namespace gridgate::sim {

namespace {

constexpr std::string_view dlms_usage =
    "dlms stats|profile <meter> [from_ms to_ms]|clock <meter> <offset>|status <meter> <bits>|"
    "outage <meter> <duration>|link <meter> down|up";

std::string error(std::string_view why) { return "error: " + std::string(why); }

void append_field(std::string& out, std::string_view name, std::uint64_t value) {
    out.append(",\"").append(name).append("\":");
    json::append_number(out, value);
}

// JSON has no NaN or infinity: those go out as null.
void append_double(std::string& out, double value) {
    if (!std::isfinite(value)) {
        out.append("null");
        return;
    }
    char buf[32];
    const auto result = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, result.ptr);
}

template <typename Integer>
bool parse_integer(std::string_view text, Integer& out, int base = 10) {
    if (text.empty()) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
    return ec == std::errc{} && end == text.data() + text.size();
}

// "0x20", "32": status bits as a 32-bit number.
bool parse_bits(std::string_view text, std::uint32_t& out) {
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        return parse_integer(text.substr(2), out, 16);
    return parse_integer(text, out);
}

void append_cosem(std::string& out, const DlmsServerStats& s) {
    append_field(out, "associations", s.associations);
    append_field(out, "rejected_associations", s.rejected_associations);
    append_field(out, "requests", s.requests);
    append_field(out, "blocks_sent", s.blocks_sent);
    append_field(out, "time_sets", s.time_sets);
    append_field(out, "denied", s.denied);
}

void append_tcp(std::string& out, const DlmsMeter& m) {
    const DlmsTcpStats& s = m.tcp_stats();
    append_field(out, "connections", s.connections);
    append_field(out, "rejected_connections", s.rejected_connections);
    append_field(out, "refused_link_down", s.refused_link_down);
    append_field(out, "inactivity_closes", s.inactivity_closes);
    append_field(out, "wrapper_errors", s.wrapper_errors);
    append_field(out, "wrong_destination", s.wrong_destination);
    append_field(out, "apdus_rx", s.apdus_rx);
    append_field(out, "apdus_tx", s.apdus_tx);
    append_field(out, "rx_bytes", s.rx_bytes);
    append_field(out, "tx_bytes", s.tx_bytes);
}

void append_hdlc(std::string& out, const DlmsHdlcServer& h) {
    const DlmsHdlcStats& s = h.stats();
    out.append(",\"hdlc_connected\":").append(h.connected() ? "true" : "false");
    if (h.connected()) {
        out.append(",\"client\":");
        json::append_number(out, unsigned{h.client_sap()});
        out.append(",\"max_info_tx\":");
        json::append_number(out, unsigned{h.negotiated().max_info_tx});
        out.append(",\"max_info_rx\":");
        json::append_number(out, unsigned{h.negotiated().max_info_rx});
    }
    append_field(out, "frames_rx", s.frames_rx);
    append_field(out, "frames_tx", s.frames_tx);
    append_field(out, "connects", s.connects);
    append_field(out, "disconnects", s.disconnects);
    append_field(out, "dm_sent", s.dm_sent);
    append_field(out, "frmr_sent", s.frmr_sent);
    append_field(out, "i_frames_rx", s.i_frames_rx);
    append_field(out, "segments_rx", s.segments_rx);
    append_field(out, "segments_tx", s.segments_tx);
    append_field(out, "apdus_rx", s.apdus_rx);
    append_field(out, "apdus_tx", s.apdus_tx);
    append_field(out, "retransmissions", s.retransmissions);
    append_field(out, "repeated_i_frames", s.repeated_i_frames);
    append_field(out, "sequence_errors", s.sequence_errors);
    append_field(out, "llc_errors", s.llc_errors);
    append_field(out, "oversized", s.oversized);
    append_field(out, "inactivity_timeouts", s.inactivity_timeouts);
    append_field(out, "ignored", s.ignored);
}

void append_meter(std::string& out, const DlmsMeter& m, TimestampUs now) {
    json::append_string(out, m.id());
    if (const DlmsHdlcServer* h = m.hdlc()) {
        out.append(":{\"bus\":");
        json::append_string(out, m.bus());
        out.append(",\"physical_id\":");
        json::append_number(out, unsigned{h->options().physical_id});
    } else {
        out.append(":{\"port\":");
        json::append_number(out, unsigned{m.port()});
    }
    out.append(",\"link\":").append(m.link_up() ? "\"up\"" : "\"down\"");
    out.append(",\"clock_offset_ms\":");
    json::append_number(out, (m.server().meter_time(now) - now) / 1000);
    append_cosem(out, m.server().stats());
    if (const DlmsHdlcServer* h = m.hdlc()) append_hdlc(out, *h);
    else append_tcp(out, m);
    out.push_back('}');
}

void append_line(std::string& out, const DlmsLineInfo& line) {
    const DlmsLineStats& s = line.stats;
    out.append("{\"device\":");
    json::append_string(out, line.device);
    out.append(",\"line\":");
    json::append_string(out, to_string(line.line));
    out.append(",\"physical_ids\":[");
    for (std::size_t i = 0; i < line.physical_ids.size(); ++i) {
        if (i != 0) out.push_back(',');
        json::append_number(out, unsigned{line.physical_ids[i]});
    }
    out.push_back(']');
    append_field(out, "rx_bytes", s.rx_bytes);
    append_field(out, "frames", s.frames);
    append_field(out, "hcs_errors", s.hcs_errors);
    append_field(out, "fcs_errors", s.fcs_errors);
    append_field(out, "malformed", s.malformed);
    append_field(out, "discarded_octets", s.discarded_octets);
    append_field(out, "other_address", s.other_address);
    append_field(out, "link_down", s.link_down);
    append_field(out, "interframe_timeouts", s.interframe_timeouts);
    append_field(out, "frames_tx", s.frames_tx);
    append_field(out, "tx_bytes", s.tx_bytes);
    append_field(out, "tx_dropped_bytes", s.tx_dropped_bytes);
    out.push_back('}');
}

std::string profile_command(const std::vector<std::string_view>& words, const DlmsMeter& meter) {
    if (words.size() == 3) return dlms_profile_json(meter, std::nullopt, std::nullopt);
    std::int64_t from_ms = 0;
    std::int64_t to_ms = 0;
    if (words.size() != 5 || !parse_integer(words[3], from_ms) || !parse_integer(words[4], to_ms) || from_ms > to_ms)
        return error("usage: dlms profile <meter> [from_ms to_ms]");
    return dlms_profile_json(meter, from_ms * 1000, to_ms * 1000);
}

}  // namespace

std::string dlms_stats_json(const DlmsFleet& fleet, TimestampUs now_utc_us) {
    std::string out = "{\"dlms\":{";
    for (std::size_t i = 0; i < fleet.size(); ++i) {
        if (i != 0) out.push_back(',');
        append_meter(out, fleet[i], now_utc_us);
    }
    out.push_back('}');
    if (fleet.line_count() != 0) {
        out.append(",\"lines\":[");
        for (std::size_t i = 0; i < fleet.line_count(); ++i) {
            if (i != 0) out.push_back(',');
            append_line(out, fleet.line(i));
        }
        out.push_back(']');
    }
    out.push_back('}');
    return out;
}

std::string dlms_profile_json(const DlmsMeter& meter, std::optional<TimestampUs> from_us,
                              std::optional<TimestampUs> to_us) {
    std::string out = "{\"meter\":";
    json::append_string(out, meter.id());
    out.append(",\"channels\":[");
    const auto channels = meter.server().profile_channels();
    for (std::size_t i = 0; i < channels.size(); ++i) {
        if (i != 0) out.push_back(',');
        json::append_string(out, channels[i].to_string());
    }
    out.append("],\"entries\":[");
    const auto rows = meter.server().profile(from_us, to_us);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const DlmsServer::ProfileRow& row = rows[r];
        if (r != 0) out.push_back(',');
        out.append("{\"end_ms\":");
        json::append_number(out, row.end_us / 1000);
        out.append(",\"status\":");
        json::append_number(out, row.status);
        out.append(",\"values\":[");
        for (std::size_t v = 0; v < row.values.size(); ++v) {
            if (v != 0) out.push_back(',');
            append_double(out, row.values[v]);
        }
        out.append("]}");
    }
    out.append("]}");
    return out;
}

std::string run_dlms_command(const std::vector<std::string_view>& words, DlmsFleet* fleet, TimestampUs now) {
    if (words.size() < 2) return error("usage: " + std::string(dlms_usage));
    const std::string_view verb = words[1];
    if (verb == "stats" && words.size() == 2) {
        if (fleet == nullptr) return "{\"dlms\":{}}";
        return dlms_stats_json(*fleet, now);
    }
    if (words.size() < 3) return error("usage: " + std::string(dlms_usage));
    DlmsMeter* m = fleet == nullptr ? nullptr : fleet->find(words[2]);
    if (m == nullptr) return error("unknown DLMS meter '" + std::string(words[2]) + "'");
    DlmsServer& server = m->server();
    if (verb == "profile") {
        server.advance_to(now);  // what the meter holds right now
        return profile_command(words, *m);
    }
    if (verb == "clock") {
        Duration offset{0};
        if (words.size() != 4 || !parse_signed_duration(words[3], offset))
            return error("usage: dlms clock <meter> <offset>, e.g. -5s, +2m, 0");
        // The offset is against the system clock, as with `dnp3 clock`; the server moves
        // its clock by the difference.
        server.advance_to(now);
        const Duration current{server.meter_time(now) - now};
        server.shift_clock(offset - current, now);
        return "ok";
    }
    if (verb == "status") {
        std::uint32_t bits = 0;
        if (words.size() != 4 || !parse_bits(words[3], bits))
            return error("usage: dlms status <meter> <bits> (decimal or 0x hex)");
        server.add_next_status(bits);
        return "ok";
    }
    if (verb == "outage") {
        Duration length{0};
        if (words.size() != 4 || !parse_duration(std::string(words[3]), length) || length <= Duration::zero())
            return error("usage: dlms outage <meter> <duration>, e.g. 30m");
        server.advance_to(now);
        server.power_outage(length, now);
        return "ok";
    }
    if (verb == "link") {
        if (words.size() != 4 || (words[3] != "down" && words[3] != "up"))
            return error("usage: dlms link <meter> down|up");
        m->set_link_up(words[3] == "up");
        return "ok";
    }
    return error("usage: " + std::string(dlms_usage));
}

}  // namespace gridgate::sim
