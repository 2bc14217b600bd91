// The mqtt section and its tls map.
#include <array>

#include "config_limits.hpp"
#include "config_paths.hpp"
#include "config_sections.hpp"
#include "config_values.hpp"

namespace gridgate::gateway::config_detail {

namespace {

constexpr std::uint16_t default_tls_port = 8883;  // IANA port of MQTT over TLS

// Reads a path to a file the daemon will open, and checks now that it can.
bool get_readable_file(const MapReader& m, std::string_view key, const std::string& base_dir, std::string& out) {
    const Located* v = m.find(key);
    if (!v || !get_text(m, key, out)) return false;
    out = resolve_path(base_dir, out);
    if (const auto reason = unreadable_reason(out)) {
        m.issues().add(v->line, v->path, "cannot read " + out + ": " + *reason);
        return false;
    }
    return true;
}

// Wildcards and empty levels would change what the head-end subscribes to, and $ topics
// belong to the broker.
bool valid_topic_prefix(const std::string& prefix) {
    if (prefix.empty() || prefix.front() == '/' || prefix.back() == '/' || prefix.front() == '$') return false;
    if (prefix.find_first_of("+#") != std::string::npos) return false;
    return prefix.find("//") == std::string::npos;
}

void read_tls(const Located& where, const std::string& base_dir, TlsConfig& tls, Issues& issues) {
    const MapReader m(where, issues, {"enabled", "ca_file", "cert_file", "key_file", "verify_server"});
    get_boolean(m, "enabled", tls.enabled);
    get_boolean(m, "verify_server", tls.verify_server);
    get_readable_file(m, "ca_file", base_dir, tls.ca_file);
    get_readable_file(m, "cert_file", base_dir, tls.cert_file);
    get_readable_file(m, "key_file", base_dir, tls.key_file);
    if (!m.is_map()) return;
    if (tls.enabled && !m.has("ca_file"))
        issues.add(where.line, where.path + ".ca_file", "required when enabled is true");
    if (m.has("cert_file") && !m.has("key_file"))
        issues.add(where.line, where.path + ".key_file", "required together with cert_file");
    if (m.has("key_file") && !m.has("cert_file"))
        issues.add(where.line, where.path + ".cert_file", "required together with key_file");
}

}  // namespace

void read_mqtt_section(const MapReader& root, const std::string& base_dir, GatewayConfig& cfg) {
    MqttConfig& mqtt = cfg.mqtt;
    if (const Located* section = root.find("mqtt")) {
        Issues& issues = root.issues();
        const MapReader m(*section, issues,
                          {"host", "port", "client_id", "topic_prefix", "username", "password_file", "keepalive",
                           "batch_max_readings", "inflight_batches", "tls", "max_messages_per_s", "max_bytes_per_s",
                           "live_lane_threshold"});
        if (const Located* v = m.find("host"))
            if (auto host = read_host(*v, issues)) mqtt.host = *host;
        get_integer(m, "port", limits::tcp_port, mqtt.port);
        get_text(m, "client_id", mqtt.client_id);
        if (const Located* v = m.find("topic_prefix")) {
            if (v->node.IsScalar() && valid_topic_prefix(v->node.Scalar()))
                mqtt.topic_prefix = v->node.Scalar();
            else
                issues.add(v->line, v->path,
                           "must be a topic prefix such as gridgate or site/north: no +, # or empty levels, no "
                           "leading or trailing / and no leading $, got " + shown(v->node));
        }
        get_text(m, "username", mqtt.username, true);
        if (get_readable_file(m, "password_file", base_dir, mqtt.password_file) && mqtt.username.empty()) {
            const Located* v = m.find("password_file");
            issues.add(v->line, v->path, "needs a username (MQTT sends a password only with a user name)");
        }
        if (const Located* v = m.find("keepalive"))
            if (get_duration(m, "keepalive", limits::mqtt_keepalive, mqtt.keepalive) &&
                mqtt.keepalive.count() % 1'000'000 != 0)
                issues.add(v->line, v->path,
                           "must be a whole number of seconds (MQTT counts keepalive in seconds), got " + shown(v->node));
        get_integer(m, "batch_max_readings", limits::batch_max_readings, mqtt.batch_max_readings);
        get_integer(m, "inflight_batches", limits::inflight_batches, mqtt.inflight_batches);
        get_integer(m, "max_messages_per_s", limits::max_messages_per_s, mqtt.max_messages_per_s);
        get_size(m, "max_bytes_per_s", limits::max_bytes_per_s, mqtt.max_bytes_per_s);
        std::size_t lane = 0;
        if (get_integer(m, "live_lane_threshold", limits::live_lane_threshold, lane)) mqtt.live_lane_threshold = lane;
        if (const Located* v = m.find("tls")) read_tls(*v, base_dir, mqtt.tls, issues);
        if (mqtt.tls.enabled && !m.has("port")) mqtt.port = default_tls_port;
    }
    if (mqtt.client_id.empty()) mqtt.client_id = "gridgate-" + cfg.id;
}

}  // namespace gridgate::gateway::config_detail
