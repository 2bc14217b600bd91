// The gateway and store sections.
#include <array>

#include "config_limits.hpp"
#include "config_paths.hpp"
#include "config_sections.hpp"
#include "config_values.hpp"

namespace gridgate::gateway::config_detail {

namespace {

constexpr std::array<std::string_view, 6> log_level_names{"trace", "debug", "info", "warn", "error", "off"};
constexpr std::array<std::string_view, 2> sync_names{"full", "normal"};
constexpr std::array<std::string_view, 2> quota_policy_names{"drop_oldest", "stop_low_priority"};

// The control socket is a Unix socket, whose path has a hard length limit.
void check_socket_path(const std::string& path, int line, const std::string& key_path, bool defaulted,
                       Issues& issues) {
    if (path.size() <= limits::max_socket_path) return;
    const std::string length = std::to_string(path.size());
    const std::string limit = std::to_string(limits::max_socket_path);
    if (defaulted)
        issues.add(line, key_path,
                   "the default <data_dir>/gridgated.sock is " + length + " characters long, more than the " + limit +
                       " a Unix socket path allows; set control_socket to a shorter path");
    else
        issues.add(line, key_path,
                   "is " + length + " characters long, more than the " + limit + " a Unix socket path allows");
}

}  // namespace

void read_gateway_section(const MapReader& root, const std::string& base_dir, GatewayConfig& cfg) {
    const Located* section = root.require("gateway");
    if (!section) return;
    Issues& issues = root.issues();
    const MapReader m(*section, issues,
                      {"id", "data_dir", "control_socket", "log_level", "status_interval", "secrets_file"});
    if (const Located* v = m.require("id")) cfg.id = read_name(*v, issues);
    if (get_text(m, "data_dir", cfg.data_dir)) cfg.data_dir = resolve_path(base_dir, cfg.data_dir);
    if (const Located* v = m.find("control_socket")) {
        if (get_text(m, "control_socket", cfg.control_socket)) {
            cfg.control_socket = resolve_path(base_dir, cfg.control_socket);
            check_socket_path(cfg.control_socket, v->line, v->path, false, issues);
        }
    } else {
        const bool slash = !cfg.data_dir.empty() && cfg.data_dir.back() == '/';
        cfg.control_socket = cfg.data_dir + (slash ? "" : "/") + "gridgated.sock";
        check_socket_path(cfg.control_socket, section->line, section->path + ".control_socket", true, issues);
    }
    if (const Located* v = m.find("log_level"))
        if (const auto index = read_choice(*v, issues, log_level_names))
            parse_log_level(log_level_names[*index], cfg.log_level);
    get_duration(m, "status_interval", limits::status_interval, cfg.status_interval);
    // Read (and checked) by the meters that need it: a file nobody uses is not an error.
    if (get_text(m, "secrets_file", cfg.secrets_file)) cfg.secrets_file = resolve_path(base_dir, cfg.secrets_file);
}

void read_store_section(const MapReader& root, GatewayConfig& cfg) {
    const Located* section = root.find("store");
    if (!section) return;
    Issues& issues = root.issues();
    const MapReader m(*section, issues,
                      {"commit_interval", "commit_max_readings", "sync", "quota_bytes", "max_age", "quota_policy",
                       "max_pending_readings"});
    get_duration(m, "commit_interval", limits::commit_interval, cfg.store.commit_interval);
    get_integer(m, "commit_max_readings", limits::commit_max_readings, cfg.store.commit_max_readings);
    if (const Located* v = m.find("sync"))
        if (const auto index = read_choice(*v, issues, sync_names)) cfg.store.sync = std::string(sync_names[*index]);
    get_size(m, "quota_bytes", limits::quota_bytes, cfg.store.quota_bytes);
    if (const Located* v = m.find("quota_bytes"))
        if (cfg.store.quota_bytes != 0 && cfg.store.quota_bytes < (1u << 20))
            issues.add(v->line, v->path, "must be 0 (no quota) or at least 1MiB, got " + shown(v->node));
    get_duration(m, "max_age", limits::max_age, cfg.store.max_age);
    if (const Located* v = m.find("quota_policy"))
        if (const auto index = read_choice(*v, issues, quota_policy_names))
            cfg.store.quota_policy = std::string(quota_policy_names[*index]);
    get_integer(m, "max_pending_readings", limits::max_pending_readings, cfg.store.max_pending_readings);
}

}  // namespace gridgate::gateway::config_detail
