// The templates, connections and meters sections, read together because meters refer to
// templates and connections by id: here references are resolved, implicit connections
// made and template points expanded.
#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <vector>

#include "config_clock.hpp"
#include "config_dlms.hpp"
#include "config_files.hpp"
#include "config_dnp3.hpp"
#include "config_ids.hpp"
#include "config_limits.hpp"
#include "config_point.hpp"
#include "config_sections.hpp"
#include "config_values.hpp"

namespace gridgate::gateway::config_detail {

namespace {

constexpr std::array<std::string_view, 4> protocol_names{"modbus_tcp", "modbus_rtu_over_tcp", "dnp3_tcp", "dlms_tcp"};
constexpr std::array<std::string_view, 3> meter_protocol_names{"modbus", "dnp3", "dlms"};
constexpr std::uint16_t dnp3_default_port = 20000;
constexpr std::uint16_t dlms_default_port = 4059;
constexpr std::array<std::string_view, 1> bus_protocol_names{"modbus_rtu"};
constexpr std::array<std::string_view, 3> parity_names{"none", "even", "odd"};
constexpr std::array<std::string_view, 3> rs485_names{"none", "kernel", "rts"};
constexpr std::array<unsigned, 8> standard_bauds{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200};
// Keys of a connection that a meter with its own host may also carry.
constexpr std::array<std::string_view, 4> endpoint_keys{"port", "max_connections", "connect_timeout", "reconnect_max"};

// A reference to an id defined elsewhere: any text; an unknown one is reported by the caller
// (a badly spelled id was already reported where it is defined).
std::string read_reference(const Located& v, Issues& issues) { return read_text(v, issues).value_or(""); }

struct Context {
    Issues& issues;
    GatewayConfig& cfg;
    std::map<std::string, std::vector<PointRead>> template_points;
    std::map<std::string, std::vector<Dnp3PointRead>> template_dnp3_points;
    std::map<std::string, std::string> template_protocol;
    std::map<std::pair<std::string, std::uint16_t>, std::string> dnp3_addresses;  // (link, address) -> meter
    std::map<std::pair<std::string, unsigned>, std::string> dlms_addresses;        // (bus, physical id) -> meter
    std::map<std::string, std::string> dlms_connection_user;                       // dlms_tcp connection -> meter
    std::map<std::string, TemplateConfig> dlms_templates;
    std::unique_ptr<Secrets> secrets;
    std::string base_dir;
    IdRegistry templates;
    IdRegistry connections;
    IdRegistry meters;
    IdRegistry buses;
    ClockContext clocks;
};

void read_template(const Located& where, Context& ctx) {
    const MapReader m(where, ctx.issues, {"id", "protocol", "points", "registers", "profiles", "clock"});
    TemplateConfig t;
    if (const Located* v = m.require("id")) {
        t.id = read_name(*v, ctx.issues);
        ctx.templates.add(t.id, *v, ctx.issues);
    }
    if (const Located* v = m.find("protocol"))
        if (const auto index = read_choice(*v, ctx.issues, meter_protocol_names)) t.protocol = meter_protocol_names[*index];
    if (!t.id.empty() && !ctx.template_protocol.count(t.id)) ctx.template_protocol.emplace(t.id, t.protocol);
    if (const Located* v = m.find("clock")) {
        auto keys = read_clock_keys(*v, ctx.issues);
        if (!t.id.empty()) ctx.clocks.templates.emplace(t.id, std::move(keys));
    }
    if (t.protocol == "dlms") {
        if (const Located* v = m.find("points"))
            ctx.issues.add(v->line, v->path, "a DLMS template has registers and profiles, not points");
        if (const Located* v = m.find("registers")) t.dlms_registers = read_dlms_registers(*v, ctx.issues);
        if (const Located* v = m.find("profiles")) t.dlms_profiles = read_dlms_profiles(*v, ctx.issues);
        if (t.dlms_registers.empty() && t.dlms_profiles.empty())
            ctx.issues.add(where.line, where.path, "a DLMS template needs registers, profiles or both");
        if (!t.id.empty() && !ctx.dlms_templates.count(t.id)) ctx.dlms_templates.emplace(t.id, t);
        ctx.cfg.templates.push_back(std::move(t));
        return;
    }
    for (const auto key : {"registers", "profiles"})
        if (const Located* v = m.find(key)) ctx.issues.add(v->line, v->path, "only used with protocol: dlms");
    if (t.protocol == "dnp3") {
        std::vector<Dnp3PointRead> points;
        if (const Located* v = m.require("points")) {
            points = read_dnp3_points(*v, ctx.issues);
            if (points.empty() && (v->node.IsNull() || v->node.IsSequence()))
                ctx.issues.add(v->line, v->path, "a template needs at least one point");
            check_dnp3_points(points, 0, t.id, v->path, ctx.issues);
        }
        for (const auto& p : points) t.dnp3_points.push_back(p.point);
        if (!t.id.empty() && !ctx.template_dnp3_points.count(t.id))
            ctx.template_dnp3_points.emplace(t.id, std::move(points));
        ctx.cfg.templates.push_back(std::move(t));
        return;
    }
    std::vector<PointRead> points;
    if (const Located* v = m.require("points")) {
        points = read_points(*v, ctx.issues);
        if (points.empty() && (v->node.IsNull() || v->node.IsSequence()))
            ctx.issues.add(v->line, v->path, "a template needs at least one point");
        check_point_names(points, 0, t.id, v->path, ctx.issues);
    }
    for (const auto& p : points) t.points.push_back(p.point);
    if (!t.id.empty() && !ctx.template_points.count(t.id)) ctx.template_points.emplace(t.id, std::move(points));
    ctx.cfg.templates.push_back(std::move(t));
}

// The endpoint settings shared by explicit connections and meters with their own host.
void read_endpoint(const MapReader& m, ConnectionConfig& c) {
    get_integer(m, "port", limits::tcp_port, c.port);
    get_integer(m, "max_connections", limits::max_connections, c.max_connections);
    get_duration(m, "connect_timeout", limits::connect_timeout, c.connect_timeout);
    get_duration(m, "reconnect_max", limits::reconnect_max, c.reconnect_max);
}

void read_connection(const Located& where, Context& ctx) {
    const MapReader m(where, ctx.issues,
                      {"id", "protocol", "host", "port", "max_connections", "connect_timeout", "reconnect_max", "baud"});
    ConnectionConfig c;
    c.line = where.line;
    if (const Located* v = m.require("id")) {
        c.id = read_name(*v, ctx.issues);
        ctx.connections.add(c.id, *v, ctx.issues);
    }
    if (const Located* v = m.find("protocol"))
        if (const auto index = read_choice(*v, ctx.issues, protocol_names)) c.protocol = protocol_names[*index];
    if (const Located* v = m.require("host"))
        if (auto host = read_host(*v, ctx.issues)) c.host = *host;
    if (c.protocol == "dnp3_tcp") c.port = dnp3_default_port;
    if (c.protocol == "dlms_tcp") c.port = dlms_default_port;
    read_endpoint(m, c);
    if (const Located* v = m.find("max_connections"); v && c.protocol == "dlms_tcp")
        ctx.issues.add(v->line, v->path,
                       "not used with dlms_tcp: a DLMS meter accepts one association per Ethernet port, so the "
                       "gateway opens one connection");
    if (const Located* v = m.find("max_connections"); v && c.protocol == "dnp3_tcp")
        ctx.issues.add(v->line, v->path,
                       "not used with dnp3_tcp: the gateway opens one connection per DNP3 endpoint and its "
                       "outstations share it by link address");
    if (const Located* v = m.find("baud")) {
        if (c.protocol != "modbus_rtu_over_tcp")
            ctx.issues.add(v->line, v->path, "only used with protocol: modbus_rtu_over_tcp (the device server's line)");
        else if (get_integer(m, "baud", {1, 1'000'000}, c.baud) &&
                 std::find(standard_bauds.begin(), standard_bauds.end(), c.baud) == standard_bauds.end())
            ctx.issues.add(v->line, v->path,
                           "must be a standard rate: 1200, 2400, 4800, 9600, 19200, 38400, 57600 or 115200, got " +
                               shown(v->node));
    }
    ctx.cfg.connections.push_back(std::move(c));
}

void read_bus(const Located& where, Context& ctx) {
    const MapReader m(where, ctx.issues,
                      {"id", "protocol", "device", "baud", "data_bits", "parity", "stop_bits", "rs485",
                       "tx_start_delay", "tx_end_delay", "max_backoff", "backoff_after"});
    BusConfig b;
    b.line = where.line;
    if (const Located* v = m.require("id")) {
        b.id = read_name(*v, ctx.issues);
        ctx.buses.add(b.id, *v, ctx.issues);
        if (const int* line = ctx.connections.line_of(b.id))
            ctx.issues.add(v->line, v->path,
                           "bus " + b.id + " has the id of the connection defined at line " + std::to_string(*line) +
                               "; connections and buses need distinct ids");
    }
    if (const Located* v = m.find("protocol"))
        if (const auto index = read_choice(*v, ctx.issues, bus_protocol_names)) b.protocol = bus_protocol_names[*index];
    if (m.require("device")) get_text(m, "device", b.device);
    if (const Located* v = m.find("baud")) {
        unsigned baud = 0;
        if (get_integer(m, "baud", {1, 1'000'000}, baud)) {
            if (std::find(standard_bauds.begin(), standard_bauds.end(), baud) == standard_bauds.end())
                ctx.issues.add(v->line, v->path,
                               "must be a standard rate: 1200, 2400, 4800, 9600, 19200, 38400, 57600 or 115200, got " +
                                   shown(v->node));
            else
                b.baud = baud;
        }
    }
    get_integer(m, "data_bits", {7, 8}, b.data_bits);
    get_integer(m, "stop_bits", {1, 2}, b.stop_bits);
    if (const Located* v = m.find("parity"))
        if (const auto index = read_choice(*v, ctx.issues, parity_names)) b.parity = parity_names[*index];
    if (const Located* v = m.find("rs485"))
        if (const auto index = read_choice(*v, ctx.issues, rs485_names)) b.rs485 = rs485_names[*index];
    get_duration(m, "tx_start_delay", limits::tx_delay, b.tx_start_delay);
    get_duration(m, "tx_end_delay", limits::tx_delay, b.tx_end_delay);
    for (const auto key : {"tx_start_delay", "tx_end_delay"})
        if (const Located* v = m.find(key); v && b.rs485 == "none")
            ctx.issues.add(v->line, v->path, "only used with rs485: rts or kernel (this bus has rs485: none)");
    get_duration(m, "max_backoff", limits::max_backoff, b.max_backoff);
    get_integer(m, "backoff_after", limits::backoff_after, b.backoff_after);
    ctx.cfg.buses.push_back(std::move(b));
}

// host (an implicit connection named after the meter), connection (a shared one) or bus
// (a serial line).
void read_meter_link(const MapReader& m, MeterConfig& meter, Context& ctx) {
    const Located* host = m.find("host");
    const Located* connection = m.find("connection");
    const Located* bus = m.find("bus");
    const Located& where = m.where();
    if ((host != nullptr) + (connection != nullptr) + (bus != nullptr) > 1) {
        ctx.issues.add((bus ? bus : connection)->line, where.path, "give only one of host, connection or bus");
        return;
    }
    if (!host && !connection && !bus) {
        ctx.issues.add(where.line, where.path,
                       "needs host (its own connection), connection (a shared one) or bus (a serial line)");
        return;
    }
    if (bus) {
        meter.bus = read_reference(*bus, ctx.issues);
        if (!meter.bus.empty() && !ctx.buses.line_of(meter.bus))
            ctx.issues.add(bus->line, bus->path, "unknown bus " + meter.bus + " " + ctx.buses.defined("buses"));
        for (const auto key : endpoint_keys)
            if (const Located* v = m.find(key))
                ctx.issues.add(v->line, v->path, "only allowed with host; this meter is on bus " + meter.bus);
        return;
    }
    if (connection) {
        meter.connection = read_reference(*connection, ctx.issues);
        if (!meter.connection.empty() && !ctx.connections.line_of(meter.connection))
            ctx.issues.add(connection->line, connection->path,
                           "unknown connection " + meter.connection + " " + ctx.connections.defined("connections"));
        for (const auto key : endpoint_keys)
            if (const Located* v = m.find(key))
                ctx.issues.add(v->line, v->path,
                               "only allowed with host; this meter uses connection " + meter.connection +
                                   ", so set it there");
        return;
    }
    ConnectionConfig c;
    c.id = meter.id;
    c.implicit = true;
    c.line = host->line;
    if (meter.protocol == "dnp3") {
        c.protocol = "dnp3_tcp";
        c.port = dnp3_default_port;
    }
    if (meter.protocol == "dlms") {
        c.protocol = "dlms_tcp";
        c.port = dlms_default_port;
    }
    if (auto name = read_host(*host, ctx.issues)) c.host = *name;
    read_endpoint(m, c);
    if (const int* line = ctx.connections.line_of(meter.id))
        ctx.issues.add(host->line, host->path,
                       "the implicit connection named after meter " + meter.id +
                           " clashes with the connection of that id defined at line " + std::to_string(*line) +
                           "; rename one, or use connection: " + meter.id);
    meter.connection = meter.id;
    ctx.cfg.connections.push_back(std::move(c));
}

// A DNP3 meter's final point list: its template's points, then its own.
void read_dnp3_meter_points(const MapReader& m, MeterConfig& meter, Context& ctx) {
    std::vector<Dnp3PointRead> points;
    if (const Located* v = m.find("template")) {
        meter.template_id = read_reference(*v, ctx.issues);
        const auto it = ctx.template_dnp3_points.find(meter.template_id);
        if (it != ctx.template_dnp3_points.end()) {
            points = it->second;
        } else if (ctx.template_points.count(meter.template_id)) {
            ctx.issues.add(v->line, v->path, "template " + meter.template_id + " is a Modbus template; this meter speaks dnp3");
        } else if (!meter.template_id.empty() && !ctx.template_protocol.count(meter.template_id)) {
            ctx.issues.add(v->line, v->path,
                           "unknown template " + meter.template_id + " " + ctx.templates.defined("templates"));
        }
    }
    const std::size_t inherited = points.size();
    const Located* own = m.find("points");
    if (own) {
        auto more = read_dnp3_points(*own, ctx.issues);
        points.insert(points.end(), more.begin(), more.end());
        check_dnp3_points(points, inherited, meter.template_id, own->path, ctx.issues);
    }
    if (!m.has("template") && points.empty() && (!own || own->node.IsNull() || own->node.IsSequence()))
        ctx.issues.add(m.where().line, m.where().path, "has no points (give a template, points, or both)");
    for (const auto& p : points) meter.dnp3_points.push_back(p.point);
}

// The meter's final point list: its template's points, then its own.
void read_meter_points(const MapReader& m, MeterConfig& meter, Context& ctx) {
    if (meter.protocol == "dnp3") return read_dnp3_meter_points(m, meter, ctx);
    std::vector<PointRead> points;
    if (const Located* v = m.find("template")) {
        meter.template_id = read_reference(*v, ctx.issues);
        if (ctx.template_dnp3_points.count(meter.template_id))
            ctx.issues.add(v->line, v->path, "template " + meter.template_id + " is a DNP3 template; this meter speaks modbus (set protocol: dnp3)");
        const auto it = ctx.template_points.find(meter.template_id);
        if (it != ctx.template_points.end()) {
            points = it->second;
        } else if (!meter.template_id.empty() && !ctx.template_dnp3_points.count(meter.template_id)) {
            ctx.issues.add(v->line, v->path,
                           "unknown template " + meter.template_id + " " + ctx.templates.defined("templates"));
        }
    }
    const std::size_t inherited = points.size();
    const Located* own = m.find("points");
    if (own) {
        auto more = read_points(*own, ctx.issues);
        points.insert(points.end(), more.begin(), more.end());
        check_point_names(points, inherited, meter.template_id, own->path, ctx.issues);
    }
    if (!m.has("template") && points.empty() && (!own || own->node.IsNull() || own->node.IsSequence()))
        ctx.issues.add(m.where().line, m.where().path, "has no points (give a template, points, or both)");
    for (const auto& p : points) meter.points.push_back(p.point);
}

// The rest of a DNP3 meter: its dnp3 settings, points and reads. Modbus keys are refused.
void read_dnp3_meter(const MapReader& m, MeterConfig& meter, Context& ctx) {
    for (const auto key : {"unit_id", "poll_interval", "poll_jitter", "response_timeout", "max_block_registers",
                           "max_gap"})
        if (const Located* v = m.find(key))
            ctx.issues.add(v->line, v->path,
                           std::string("a Modbus setting; a DNP3 meter takes ") +
                               (std::string_view(key) == "response_timeout" ? "dnp3.response_timeout"
                                : std::string_view(key) == "unit_id"         ? "dnp3.address"
                                                                             : "dnp3 class periods and reads"));
    int address_line = 0;
    if (const Located* v = m.find("dnp3")) address_line = read_dnp3_settings(*v, meter.dnp3, ctx.issues);
    const std::string& link = meter.bus.empty() ? meter.connection : meter.bus;
    if (!meter.connection.empty()) {
        for (const auto& c : ctx.cfg.connections)
            if (c.id == meter.connection && c.protocol != "dnp3_tcp") {
                const Located* v = m.find("connection");
                ctx.issues.add(v ? v->line : m.where().line, v ? v->path : m.where().path,
                               "connection " + c.id + " is " + c.protocol + "; a DNP3 meter needs a dnp3_tcp connection");
            }
    }
    if (!link.empty()) {
        const auto [it, fresh] = ctx.dnp3_addresses.emplace(std::make_pair(link, meter.dnp3.address), meter.id);
        if (!fresh) {
            ctx.issues.add(address_line ? address_line : m.where().line, m.where().path + ".dnp3.address",
                           "DNP3 address " + std::to_string(meter.dnp3.address) + " is already used on " + link +
                               " by meter " + it->second);
        }
    }
    read_meter_points(m, meter, ctx);
    if (const Located* v = m.find("reads")) meter.dnp3_reads = read_dnp3_reads(*v, ctx.issues);
    get_boolean(m, "trace", meter.trace);
    get_boolean(m, "enabled", meter.enabled);
    ctx.cfg.meters.push_back(std::move(meter));
}

// The rest of a DLMS meter: its dlms settings (with the password from the secrets file),
// registers, identification objects and profiles. Modbus and DNP3 keys are refused.
void read_dlms_meter(const MapReader& m, MeterConfig& meter, Context& ctx) {
    for (const auto key : {"unit_id", "poll_interval", "poll_jitter", "response_timeout", "max_block_registers",
                           "max_gap", "points", "dnp3", "reads"})
        if (const Located* v = m.find(key))
            ctx.issues.add(v->line, v->path,
                           std::string("not a DLMS setting; a DLMS meter takes ") +
                               (std::string_view(key) == "response_timeout" ? "dlms.response_timeout"
                                : std::string_view(key) == "unit_id"         ? "dlms.physical_id (on a bus)"
                                : std::string_view(key) == "points"          ? "registers and profiles"
                                                                             : "dlms.register_period and profiles"));
    const bool on_bus = !meter.bus.empty();
    const Located* settings = m.find("dlms");
    if (settings) read_dlms_settings(*settings, meter.dlms, on_bus, ctx.issues);
    if (meter.dlms.authentication.empty()) meter.dlms.authentication = meter.dlms.client == 16 ? "none" : "low";
    if (meter.dlms.authentication == "low") {
        if (meter.dlms.password_key.empty()) meter.dlms.password_key = meter.id;
        if (!ctx.secrets) ctx.secrets = std::make_unique<Secrets>(ctx.cfg.secrets_file);
        const int line = settings ? settings->line : m.where().line;
        const std::string path = m.where().path + ".dlms.password_key";
        if (auto password = ctx.secrets->dlms_password(meter.dlms.password_key, line, path, ctx.issues))
            meter.dlms.password = std::move(*password);
    }
    if (!meter.connection.empty()) {
        for (const auto& c : ctx.cfg.connections)
            if (c.id == meter.connection && c.protocol != "dlms_tcp") {
                const Located* v = m.find("connection");
                ctx.issues.add(v ? v->line : m.where().line, v ? v->path : m.where().path,
                               "connection " + c.id + " is " + c.protocol + "; a DLMS meter needs a dlms_tcp connection");
            }
        const auto [it, fresh] = ctx.dlms_connection_user.emplace(meter.connection, meter.id);
        if (!fresh) {
            const Located* v = m.find("connection");
            ctx.issues.add(v ? v->line : m.where().line, v ? v->path : m.where().path,
                           "connection " + meter.connection + " is already used by DLMS meter " + it->second +
                               "; a DLMS meter accepts one association per Ethernet port, so each needs its own");
        }
    }
    if (on_bus) {
        const auto [it, fresh] = ctx.dlms_addresses.emplace(std::make_pair(meter.bus, meter.dlms.physical_id), meter.id);
        if (!fresh)
            ctx.issues.add(settings ? settings->line : m.where().line, m.where().path + ".dlms.physical_id",
                           "HDLC physical id " + std::to_string(meter.dlms.physical_id) + " is already used on " +
                               meter.bus + " by meter " + it->second);
    }
    if (const Located* v = m.find("template")) {
        meter.template_id = read_reference(*v, ctx.issues);
        const auto it = ctx.dlms_templates.find(meter.template_id);
        if (it != ctx.dlms_templates.end()) {
            meter.dlms_registers = it->second.dlms_registers;
            meter.dlms_profiles = it->second.dlms_profiles;
        } else if (ctx.template_protocol.count(meter.template_id)) {
            ctx.issues.add(v->line, v->path,
                           "template " + meter.template_id + " is a " + ctx.template_protocol[meter.template_id] +
                               " template; this meter speaks dlms");
        } else if (!meter.template_id.empty()) {
            ctx.issues.add(v->line, v->path,
                           "unknown template " + meter.template_id + " " + ctx.templates.defined("templates"));
        }
    }
    if (const Located* v = m.find("registers")) {
        auto own = read_dlms_registers(*v, ctx.issues);
        meter.dlms_registers.insert(meter.dlms_registers.end(), own.begin(), own.end());
    }
    if (const Located* v = m.find("identity")) meter.dlms_identity = read_dlms_identity(*v, ctx.issues);
    if (const Located* v = m.find("profiles")) meter.dlms_profiles = read_dlms_profiles(*v, ctx.issues);
    if (meter.dlms_registers.empty() && meter.dlms_profiles.empty() && meter.dlms_identity.empty())
        ctx.issues.add(m.where().line, m.where().path,
                       "reads nothing: give registers, profiles or identity (or a template with them)");
    if (!meter.dlms_registers.empty() && meter.dlms.register_period == Duration::zero() && settings)
        ctx.issues.add(settings->line, m.where().path + ".dlms.register_period",
                       "is 0 (off) but the meter has registers to read");
    check_dlms_point_names(meter, m.where(), ctx.issues);
    get_boolean(m, "trace", meter.trace);
    get_boolean(m, "enabled", meter.enabled);
    ctx.cfg.meters.push_back(std::move(meter));
}

// pqdif, inbox, notification_ids: any protocol. The SFTP host defaults to the host of the
// meter's connection.
void read_files_keys(const MapReader& m, MeterConfig& meter, Context& ctx) {
    if (!m.has("pqdif") && !m.has("inbox") && !m.has("notification_ids")) return;
    std::string host;
    for (const auto& c : ctx.cfg.connections)
        if (c.id == meter.connection) host = c.host;
    if (!ctx.secrets) ctx.secrets = std::make_unique<Secrets>(ctx.cfg.secrets_file);
    read_meter_files(m, meter, host, ctx.base_dir, ctx.cfg, *ctx.secrets);
}

void read_meter(const Located& where, Context& ctx) {
    const MapReader m(where, ctx.issues,
                      {"id", "host", "port", "max_connections", "connect_timeout", "reconnect_max", "connection",
                       "bus", "unit_id", "template", "points", "poll_interval", "poll_jitter", "response_timeout",
                       "max_block_registers", "max_gap", "trace", "enabled", "protocol", "dnp3", "reads", "dlms",
                       "registers", "identity", "profiles", "pqdif", "inbox", "notification_ids", "clock"});
    MeterConfig meter;
    if (!m.is_map()) return;
    if (const Located* v = m.require("id")) {
        meter.id = read_name(*v, ctx.issues);
        ctx.meters.add(meter.id, *v, ctx.issues);
    }
    if (const Located* v = m.find("protocol"))
        if (const auto index = read_choice(*v, ctx.issues, meter_protocol_names)) meter.protocol = meter_protocol_names[*index];
    read_meter_link(m, meter, ctx);
    read_files_keys(m, meter, ctx);
    if (meter.protocol == "dlms") {
        read_dlms_meter(m, meter, ctx);
        return read_meter_clock(m, ctx.cfg.meters.back(), ctx.clocks);
    }
    for (const auto key : {"dlms", "registers", "identity", "profiles"})
        if (const Located* v = m.find(key)) ctx.issues.add(v->line, v->path, "only used with protocol: dlms");
    if (meter.protocol == "dnp3") {
        read_dnp3_meter(m, meter, ctx);
        return read_meter_clock(m, ctx.cfg.meters.back(), ctx.clocks);
    }
    if (!meter.connection.empty())
        for (const auto& c : ctx.cfg.connections)
            if (c.id == meter.connection && (c.protocol == "dnp3_tcp" || c.protocol == "dlms_tcp")) {
                const Located* v = m.find("connection");
                const std::string proto = c.protocol == "dnp3_tcp" ? "dnp3" : "dlms";
                ctx.issues.add(v ? v->line : m.where().line, v ? v->path : m.where().path,
                               "connection " + c.id + " is " + c.protocol + "; set protocol: " + proto +
                                   " on this meter or use a Modbus connection");
            }
    for (const auto key : {"dnp3", "reads"})
        if (const Located* v = m.find(key)) ctx.issues.add(v->line, v->path, "only used with protocol: dnp3");
    // On a serial line the unit id is the slave address: 0 is broadcast (no replies).
    get_integer(m, "unit_id", meter.bus.empty() ? limits::unit_id : limits::slave_address, meter.unit_id);
    read_meter_points(m, meter, ctx);
    get_duration(m, "poll_interval", limits::poll_interval, meter.poll_interval);
    if (const Located* v = m.find("poll_jitter"))
        if (get_duration(m, "poll_jitter", {Duration::zero(), limits::poll_interval.max}, meter.poll_jitter) &&
            meter.poll_jitter > meter.poll_interval)
            ctx.issues.add(v->line, v->path,
                           "must not be longer than poll_interval (" + format_duration(meter.poll_interval) +
                               "), got " + shown(v->node));
    get_duration(m, "response_timeout", limits::response_timeout, meter.response_timeout);
    get_integer(m, "max_block_registers", limits::max_block_registers, meter.max_block_registers);
    get_integer(m, "max_gap", limits::max_gap, meter.max_gap);
    get_boolean(m, "trace", meter.trace);
    get_boolean(m, "enabled", meter.enabled);
    ctx.cfg.meters.push_back(std::move(meter));
    read_meter_clock(m, ctx.cfg.meters.back(), ctx.clocks);
}

// The JEMStar II accepts at most 5 DNP3 connections per Ethernet port, and outstations
// behind one endpoint can share a single connection, so more than 5 to one endpoint is a
// configuration mistake (each meter with its own host: opens one).
void check_dnp3_endpoints(Context& ctx) {
    constexpr std::size_t max_per_endpoint = 5;
    std::map<std::pair<std::string, std::uint16_t>, std::vector<const ConnectionConfig*>> by_endpoint;
    for (const auto& c : ctx.cfg.connections)
        if (c.protocol == "dnp3_tcp") by_endpoint[{c.host, c.port}].push_back(&c);
    for (const auto& [endpoint, list] : by_endpoint) {
        if (list.size() <= max_per_endpoint) continue;
        const ConnectionConfig& sixth = *list[max_per_endpoint];
        // Explicit connections come first in cfg.connections, in file order; an implicit one
        // is named after its meter.
        std::string path;
        if (sixth.implicit) {
            for (std::size_t i = 0; i < ctx.cfg.meters.size(); ++i)
                if (ctx.cfg.meters[i].id == sixth.id) path = "meters[" + std::to_string(i) + "].host";
        } else {
            path = "connections[" + std::to_string(&sixth - ctx.cfg.connections.data()) + "]";
        }
        ctx.issues.add(sixth.line, path,
                       std::to_string(list.size()) + " DNP3 connections to " + endpoint.first + ":" +
                           std::to_string(endpoint.second) + "; a meter accepts at most 5 per port (JEMStar II). "
                           "Let the outstations share one: a dnp3_tcp connection and connection: on each meter");
    }
}

// One association per Ethernet port (JEMStar II "Max 1 DLMS connection"): two dlms_tcp
// connections to the same host and port would lock each other out.
void check_dlms_endpoints(Context& ctx) {
    std::map<std::pair<std::string, std::uint16_t>, const ConnectionConfig*> first;
    for (const auto& c : ctx.cfg.connections) {
        if (c.protocol != "dlms_tcp") continue;
        const auto [it, fresh] = first.emplace(std::make_pair(c.host, c.port), &c);
        if (fresh) continue;
        std::string path = "connections[" + std::to_string(&c - ctx.cfg.connections.data()) + "]";
        if (c.implicit)
            for (std::size_t i = 0; i < ctx.cfg.meters.size(); ++i)
                if (ctx.cfg.meters[i].id == c.id) path = "meters[" + std::to_string(i) + "].host";
        ctx.issues.add(c.line, path,
                       "a second DLMS connection to " + c.host + ":" + std::to_string(c.port) + " (first: " +
                           it->second->id + "); a meter accepts one DLMS association per Ethernet port");
    }
}

}  // namespace

void read_meter_sections(const MapReader& root, const std::string& base_dir, GatewayConfig& cfg) {
    Context ctx{root.issues(), cfg, {}, {}, {}, {}, {}, {}, {}, nullptr, base_dir, IdRegistry("template"),
                IdRegistry("connection"), IdRegistry("meter"), IdRegistry("bus"), {}};
    if (const Located* list = root.find("templates"))
        for (const Located& element : list_elements(*list, ctx.issues)) read_template(element, ctx);
    if (const Located* list = root.find("connections"))
        for (const Located& element : list_elements(*list, ctx.issues)) read_connection(element, ctx);
    if (const Located* list = root.find("buses"))
        for (const Located& element : list_elements(*list, ctx.issues)) read_bus(element, ctx);
    const Located* list = root.require("meters");
    if (!list) return;
    const auto meters = list_elements(*list, ctx.issues);
    if (meters.empty() && (list->node.IsNull() || list->node.IsSequence()))
        ctx.issues.add(list->line, list->path, "at least one meter is required");
    for (const Located& element : meters) read_meter(element, ctx);
    check_dnp3_endpoints(ctx);
    check_dlms_endpoints(ctx);
}

}  // namespace gridgate::gateway::config_detail
