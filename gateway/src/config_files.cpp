#include "config_files.hpp"

#include <array>
#include <cmath>
#include <map>
#include <set>

#include "config_paths.hpp"
#include "config_values.hpp"

namespace gridgate::gateway::config_detail {

namespace {

using namespace std::chrono_literals;

constexpr std::array<std::string_view, 2> auth_names{"password", "key"};
constexpr std::array<std::string_view, 2> spool_policy_names{"drop_oldest", "stop_intake"};
constexpr DurationRange ssh_connect_timeout{1s, 5min};
constexpr DurationRange ssh_io_timeout{1s, 10min};
constexpr DurationRange pull_interval{10s, 7 * 24h};
constexpr DurationRange pull_settle{0s, 1h};
constexpr DurationRange alarm_request_timeout{1s, 10min};

std::string join_dir(const std::string& dir, const std::string& name) {
    if (dir.empty()) return name;
    return dir + (dir.back() == '/' ? "" : "/") + name;
}

// "SHA256:" followed by 43 characters of unpadded base64 (a 32-byte digest), as
// ssh-keygen -l prints it.
bool is_sha256_fingerprint(const std::string& text) {
    if (text.size() != 7 + 43 || text.compare(0, 7, "SHA256:") != 0) return false;
    for (std::size_t i = 7; i < text.size(); ++i) {
        const char c = text[i];
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/')) return false;
    }
    return true;
}

// "HH:MM-HH:MM" (UTC); 24:00 allowed as an end.
std::optional<std::pair<int, int>> parse_window(const std::string& text) {
    auto minutes = [](std::string_view t, bool end) -> std::optional<int> {
        if (t.size() != 5 || t[2] != ':' || !std::isdigit(static_cast<unsigned char>(t[0])) ||
            !std::isdigit(static_cast<unsigned char>(t[1])) || !std::isdigit(static_cast<unsigned char>(t[3])) ||
            !std::isdigit(static_cast<unsigned char>(t[4])))
            return std::nullopt;
        const int h = (t[0] - '0') * 10 + (t[1] - '0');
        const int m = (t[3] - '0') * 10 + (t[4] - '0');
        if (m > 59) return std::nullopt;
        if (h == 24 && m == 0 && end) return 1440;
        if (h > 23) return std::nullopt;
        return h * 60 + m;
    };
    const auto dash = text.find('-');
    if (dash == std::string::npos) return std::nullopt;
    const auto start = minutes(std::string_view(text).substr(0, dash), false);
    const auto end = minutes(std::string_view(text).substr(dash + 1), true);
    if (!start || !end || *start == *end) return std::nullopt;
    return std::make_pair(*start, *end);
}

// Reads an ssh: block (meter pqdif.ssh or a sink). `id`: default password key.
void read_ssh_peer(const Located& where, SshPeerConfig& out, const std::string& id, const std::string& base_dir,
                   const GatewayConfig& cfg, Secrets& secrets, Issues& issues, bool host_required) {
    const MapReader m(where, issues,
                      {"host", "port", "user", "auth", "password_key", "private_key_file", "host_key_fingerprints",
                       "known_hosts_file", "trust_on_first_use", "connect_timeout", "io_timeout", "password"});
    if (!m.is_map()) return;
    if (const Located* v = m.find("password"))
        issues.add(v->line, v->path,
                   "passwords are not kept in the configuration: put it in gateway.secrets_file under ssh: "
                   "(see password_key)");
    if (const Located* v = m.find("host")) {
        if (auto host = read_host(*v, issues)) out.host = *host;
    } else if (host_required && out.host.empty()) {
        issues.add(where.line, where.path + ".host", "required key is missing");
    }
    get_integer(m, "port", limits::tcp_port, out.port);
    if (const Located* v = m.require("user"))
        if (auto user = read_text(*v, issues)) out.user = *user;
    if (const Located* v = m.find("auth"))
        if (const auto i = read_choice(*v, issues, auth_names)) out.auth = auth_names[*i];
    out.password_key = id;
    if (const Located* v = m.find("password_key"))
        if (auto key = read_identifier(*v, issues)) out.password_key = *key;
    if (get_text(m, "private_key_file", out.private_key_file))
        out.private_key_file = resolve_path(base_dir, out.private_key_file);
    if (const Located* v = m.find("host_key_fingerprints")) {
        for (const Located& e : list_elements(*v, issues)) {
            const auto text = read_text(e, issues);
            if (!text) continue;
            if (!is_sha256_fingerprint(*text))
                issues.add(e.line, e.path,
                           "must be a SHA-256 host key fingerprint as ssh-keygen -l prints it (SHA256:<43 "
                           "characters>), got " + shown(e.node));
            else
                out.host_key_fingerprints.push_back(*text);
        }
    }
    out.known_hosts_file = join_dir(cfg.data_dir, "known_hosts");
    if (get_text(m, "known_hosts_file", out.known_hosts_file))
        out.known_hosts_file = resolve_path(base_dir, out.known_hosts_file);
    get_boolean(m, "trust_on_first_use", out.trust_on_first_use);
    get_duration(m, "connect_timeout", ssh_connect_timeout, out.connect_timeout);
    get_duration(m, "io_timeout", ssh_io_timeout, out.io_timeout);

    const int line = m.where().line;
    const std::string& path = m.where().path;
    if (out.auth == "key") {
        if (out.private_key_file.empty())
            issues.add(line, path + ".private_key_file", "required with auth: key");
        else if (const auto reason = unreadable_reason(out.private_key_file))
            issues.add(line, path + ".private_key_file", "cannot read " + out.private_key_file + ": " + *reason);
        if (m.has("password_key"))  // a passphrase for the key, optional
            if (auto pass = secrets.ssh_secret(out.password_key, line, path + ".password_key", issues))
                out.key_passphrase = *pass;
    } else {
        if (const Located* v = m.find("private_key_file"))
            issues.add(v->line, v->path, "only used with auth: key");
        if (auto pass = secrets.ssh_secret(out.password_key, line, path, issues)) out.password = *pass;
    }
    // Nothing pinned and no trust on first use: the key must already be in known_hosts.
    if (out.host_key_fingerprints.empty() && !out.trust_on_first_use && !m.has("known_hosts_file"))
        issues.add(line, path,
                   "the host key must be pinned: set host_key_fingerprints, or known_hosts_file with the "
                   "host's key in it, or trust_on_first_use: true");
}

}  // namespace

void read_meter_files(const MapReader& m, MeterConfig& meter, const std::string& default_host,
                      const std::string& base_dir, const GatewayConfig& cfg, Secrets& secrets) {
    Issues& issues = m.issues();
    if (const Located* where = m.find("pqdif")) {
        const MapReader p(*where, issues,
                          {"enabled", "ssh", "directory", "pattern", "interval", "settle", "delete_after_forward",
                           "capacity", "warn_fill", "max_files_per_pull"});
        auto& c = meter.pqdif;
        c.enabled = true;
        get_boolean(p, "enabled", c.enabled);
        c.ssh.host = default_host;
        if (const Located* s = p.require("ssh"))
            read_ssh_peer(*s, c.ssh, meter.id, base_dir, cfg, secrets, issues, true);
        get_text(p, "directory", c.directory);
        get_text(p, "pattern", c.pattern);
        get_duration(p, "interval", pull_interval, c.interval);
        get_duration(p, "settle", pull_settle, c.settle);
        get_boolean(p, "delete_after_forward", c.delete_after_forward);
        get_size(p, "capacity", limits::quota_bytes, c.capacity_bytes);
        if (const Located* v = p.find("warn_fill"))
            if (const auto f = read_number(*v, issues, "a number from 0.1 to 1",
                                           [](double x) { return std::isfinite(x) && x >= 0.1 && x <= 1.0; }))
                c.warn_fill = *f;
        get_integer(p, "max_files_per_pull", {1, 10'000}, c.max_files_per_pull);
    }
    if (const Located* where = m.find("inbox")) {
        const MapReader i(*where, issues, {"enabled", "directory", "settle"});
        meter.inbox.enabled = true;
        get_boolean(i, "enabled", meter.inbox.enabled);
        if (get_text(i, "directory", meter.inbox.directory))
            meter.inbox.directory = resolve_path(base_dir, meter.inbox.directory);
        get_duration(i, "settle", pull_settle, meter.inbox.settle);
    }
    if (const Located* where = m.find("notification_ids"))
        for (const Located& e : list_elements(*where, issues))
            if (auto text = read_text(e, issues)) meter.notification_ids.push_back(*text);
}

void read_files_section(const MapReader& root, const std::string& base_dir, GatewayConfig& cfg) {
    Issues& issues = root.issues();
    FilesConfig& f = cfg.files;
    f.spool.directory = join_dir(cfg.data_dir, "spool");
    f.inbox_root = join_dir(cfg.data_dir, "inbox");
    const Located* where = root.find("files");
    Secrets secrets(cfg.secrets_file);
    if (where) {
        const MapReader m(*where, issues, {"spool", "inbox_root", "alarms", "sinks"});
        if (const Located* s = m.find("spool")) {
            const MapReader sp(*s, issues, {"directory", "quota", "quota_policy"});
            if (get_text(sp, "directory", f.spool.directory))
                f.spool.directory = resolve_path(base_dir, f.spool.directory);
            get_size(sp, "quota", limits::quota_bytes, f.spool.quota_bytes);
            if (const Located* v = sp.find("quota_policy"))
                if (const auto i = read_choice(*v, issues, spool_policy_names))
                    f.spool.quota_policy = spool_policy_names[*i];
        }
        if (get_text(m, "inbox_root", f.inbox_root)) f.inbox_root = resolve_path(base_dir, f.inbox_root);
        if (const Located* a = m.find("alarms")) {
            const MapReader al(*a, issues,
                               {"enabled", "listen", "port", "cert_file", "key_file", "client_ca_file",
                                "require_client_cert", "path", "max_body", "max_json", "request_timeout",
                                "max_connections"});
            auto& r = f.alarms;
            r.enabled = true;
            get_boolean(al, "enabled", r.enabled);
            if (const Located* v = al.find("listen"))
                if (auto host = read_host(*v, issues)) r.listen = *host;
            get_integer(al, "port", {0, 65535}, r.port);
            for (auto [key, out] : {std::pair<const char*, std::string*>{"cert_file", &r.cert_file},
                                    {"key_file", &r.key_file},
                                    {"client_ca_file", &r.client_ca_file}}) {
                if (!get_text(al, key, *out)) continue;
                *out = resolve_path(base_dir, *out);
                if (const auto reason = unreadable_reason(*out)) {
                    const Located* v = al.find(key);
                    issues.add(v->line, v->path, "cannot read " + *out + ": " + *reason);
                }
            }
            get_boolean(al, "require_client_cert", r.require_client_cert);
            if (get_text(al, "path", r.path) && (r.path.empty() || r.path.front() != '/')) {
                const Located* v = al.find("path");
                issues.add(v->line, v->path, "must start with /, got " + shown(v->node));
            }
            get_size(al, "max_body", {1024, 64LL << 20}, r.max_body_bytes);
            get_size(al, "max_json", {256, 1LL << 20}, r.max_json_bytes);
            get_duration(al, "request_timeout", alarm_request_timeout, r.request_timeout);
            get_integer(al, "max_connections", {1, 256}, r.max_connections);
            if (r.enabled) {
                if (!al.has("cert_file")) issues.add(al.where().line, al.where().path + ".cert_file",
                                                     "required: the gateway's certificate (PEM) for HTTPS");
                if (!al.has("key_file")) issues.add(al.where().line, al.where().path + ".key_file",
                                                    "required: the certificate's private key (PEM)");
            }
            if (r.require_client_cert && r.client_ca_file.empty())
                issues.add(al.where().line, al.where().path + ".require_client_cert",
                           "needs client_ca_file (the CA that signed the meters' certificates)");
        }
        if (const Located* list = m.find("sinks")) {
            std::set<std::string> ids;
            for (const Located& e : list_elements(*list, issues)) {
                const MapReader s(e, issues, {"id", "ssh", "remote_root", "max_bytes_per_s", "windows"});
                if (!s.is_map()) continue;
                SftpSinkConfig sink;
                sink.line = e.line;
                if (const Located* v = s.require("id")) {
                    if (auto id = read_identifier(*v, issues)) sink.id = *id;
                    if (!sink.id.empty() && !ids.insert(sink.id).second)
                        issues.add(v->line, v->path, "sink id " + sink.id + " is used twice");
                }
                if (const Located* v = s.require("ssh"))
                    read_ssh_peer(*v, sink.ssh, sink.id, base_dir, cfg, secrets, issues, true);
                get_text(s, "remote_root", sink.remote_root);
                get_size(s, "max_bytes_per_s", limits::max_bytes_per_s, sink.max_bytes_per_s);
                if (const Located* v = s.find("windows"))
                    for (const Located& w : list_elements(*v, issues)) {
                        const auto text = read_text(w, issues);
                        if (!text) continue;
                        if (const auto window = parse_window(*text))
                            sink.windows.push_back(*window);
                        else
                            issues.add(w.line, w.path,
                                       "must be a daily UTC window HH:MM-HH:MM (e.g. 22:00-06:00), got " + shown(w.node));
                    }
                f.sinks.push_back(std::move(sink));
            }
        }
    }
    // Cross-checks with the meters.
    std::map<std::string, std::string> notification_owner;
    std::map<std::string, std::string> inbox_owner;
    for (std::size_t i = 0; i < cfg.meters.size(); ++i) {
        MeterConfig& meter = cfg.meters[i];
        const std::string path = "meters[" + std::to_string(i) + "]";
        if (meter.pqdif.enabled && meter.pqdif.delete_after_forward && f.sinks.empty())
            issues.add(0, path + ".pqdif.delete_after_forward",
                       "needs at least one files.sinks entry: files are deleted on the meter only once delivered");
        if (meter.inbox.enabled && meter.inbox.directory.empty())
            meter.inbox.directory = join_dir(join_dir(f.inbox_root, meter.id), "incoming");
        if (meter.inbox.enabled) {
            const auto [it, fresh] = inbox_owner.emplace(meter.inbox.directory, meter.id);
            if (!fresh)
                issues.add(0, path + ".inbox.directory",
                           "inbox " + meter.inbox.directory + " is already meter " + it->second + "'s");
        }
        for (const auto& id : meter.notification_ids) {
            const auto [it, fresh] = notification_owner.emplace(id, meter.id);
            if (!fresh)
                issues.add(0, path + ".notification_ids",
                           "notification id " + id + " is already meter " + it->second + "'s");
        }
    }
}

}  // namespace gridgate::gateway::config_detail
