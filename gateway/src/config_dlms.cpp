#include "config_dlms.hpp"

#include <yaml-cpp/yaml.h>

#include <array>
#include <charconv>
#include <set>

#include "config_limits.hpp"
#include "config_paths.hpp"
#include "config_values.hpp"

namespace gridgate::gateway::config_detail {

namespace {

using namespace std::chrono_literals;

constexpr std::array<std::string_view, 3> priority_names{"high", "normal", "low"};
constexpr std::array<std::string_view, 2> authentication_names{"none", "low"};
constexpr std::array<std::string_view, 3> deviation_names{"blue_book", "iso", "ignore"};
constexpr std::array<std::string_view, 3> dst_names{"none", "eu", "us"};
constexpr std::array<std::string_view, 3> register_class_names{"1", "3", "4"};
constexpr DurationRange dlms_period{1s, 24h};

// An OBIS value given in the file.
std::optional<std::string> read_obis(const Located& v, Issues& issues) {
    if (v.node.IsScalar())
        if (auto obis = canonical_obis(v.node.Scalar())) return obis;
    issues.add(v.line, v.path,
               "must be an OBIS code A.B.C.D.E.F with each group 0..255 (e.g. 1.0.1.8.0.255 or 1-0:1.8.0*255), got " +
                   shown(v.node));
    return std::nullopt;
}

// A period that may be 0 (off).
void get_period(const MapReader& m, std::string_view key, Duration& out) {
    const Located* v = m.find(key);
    if (!v) return;
    if (auto d = read_duration(*v, m.issues(), {Duration::zero(), dlms_period.max})) {
        if (*d != Duration::zero() && *d < dlms_period.min)
            m.issues().add(v->line, v->path,
                           "must be 0 (off) or at least " + format_duration(dlms_period.min) + ", got " +
                               shown(v->node));
        else
            out = *d;
    }
}

std::optional<double> read_scale(const Located& v, Issues& issues) {
    return read_number(v, issues, "a finite, non-zero number", [](double d) { return d != 0.0; });
}

DlmsRegisterConfig read_register(const Located& where, Issues& issues) {
    DlmsRegisterConfig r;
    r.line = where.line;
    const MapReader m(where, issues, {"name", "obis", "class", "scale", "unit"});
    if (!m.is_map()) return r;
    if (const Located* v = m.require("name")) r.name = read_name(*v, issues);
    if (const Located* v = m.require("obis")) r.obis = read_obis(*v, issues).value_or("");
    if (const Located* v = m.find("class")) {
        if (v->node.IsScalar() && (v->node.Scalar() == "1" || v->node.Scalar() == "3" || v->node.Scalar() == "4"))
            r.class_id = static_cast<unsigned>(std::stoi(v->node.Scalar()));
        else
            issues.add(v->line, v->path,
                       "must be 1 (data), 3 (register) or 4 (extended register), got " + shown(v->node));
    }
    if (const Located* v = m.find("scale"))
        if (auto x = read_scale(*v, issues)) r.scale = *x;
    get_text(m, "unit", r.unit, true);
    return r;
}

DlmsIdentityConfig read_identity(const Located& where, Issues& issues) {
    DlmsIdentityConfig r;
    r.line = where.line;
    const MapReader m(where, issues, {"name", "obis", "class", "expect"});
    if (!m.is_map()) return r;
    if (const Located* v = m.require("name")) r.name = read_name(*v, issues);
    if (const Located* v = m.require("obis")) r.obis = read_obis(*v, issues).value_or("");
    get_integer(m, "class", {1, 255}, r.class_id);
    get_text(m, "expect", r.expect, true);
    return r;
}

DlmsChannelConfig read_channel(const Located& where, Issues& issues) {
    DlmsChannelConfig c;
    c.line = where.line;
    const MapReader m(where, issues, {"name", "obis", "attribute", "scale", "unit"});
    if (!m.is_map()) return c;
    if (const Located* v = m.require("name")) c.name = read_name(*v, issues);
    if (const Located* v = m.require("obis")) c.obis = read_obis(*v, issues).value_or("");
    get_integer(m, "attribute", {1, 127}, c.attribute);
    if (const Located* v = m.find("scale"))
        if (auto x = read_scale(*v, issues)) c.scale = *x;
    get_text(m, "unit", c.unit, true);
    return c;
}

DlmsProfileConfig read_profile(const Located& where, Issues& issues) {
    DlmsProfileConfig p;
    p.line = where.line;
    const MapReader m(where, issues,
                      {"name", "obis", "channels", "status_obis", "status_point", "poll_delay", "history",
                       "max_entries_per_read"});
    if (!m.is_map()) return p;
    if (const Located* v = m.find("name")) p.name = read_name(*v, issues);
    if (const Located* v = m.find("obis")) p.obis = read_obis(*v, issues).value_or(p.obis);
    if (const Located* v = m.find("status_obis")) p.status_obis = read_obis(*v, issues).value_or("");
    if (const Located* v = m.find("status_point")) p.status_point = read_name(*v, issues);
    get_duration(m, "poll_delay", {0s, 1h}, p.poll_delay);
    get_duration(m, "history", {0s, 87600h}, p.history);
    get_size(m, "max_entries_per_read", {1, 10'000}, p.max_entries_per_read);
    if (const Located* list = m.require("channels")) {
        std::set<std::pair<std::string, int>> seen;
        for (const Located& element : list_elements(*list, issues)) {
            p.channels.push_back(read_channel(element, issues));
            const auto& c = p.channels.back();
            if (!c.obis.empty() && !seen.insert({c.obis, c.attribute}).second)
                issues.add(element.line, element.path + ".obis",
                           "capture object " + c.obis + " attribute " + std::to_string(c.attribute) +
                               " is already mapped in this profile");
        }
        if (p.channels.empty() && (list->node.IsNull() || list->node.IsSequence()))
            issues.add(list->line, list->path, "a profile needs at least one channel");
    }
    return p;
}

}  // namespace

std::optional<std::string> canonical_obis(const std::string& text) {
    // Separators: '-' after A, ':' after B, '.' between the rest, '*' or '.' before F;
    // or dots throughout. Parse six (or five) decimal groups.
    std::array<unsigned, 6> groups{0, 0, 0, 0, 0, 255};
    std::size_t count = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        if (count == 6) return std::nullopt;
        unsigned value = 0;
        const auto [end, error] = std::from_chars(text.data() + i, text.data() + text.size(), value);
        if (error != std::errc{} || end == text.data() + i || value > 255) return std::nullopt;
        groups[count++] = value;
        i = static_cast<std::size_t>(end - text.data());
        if (i == text.size()) break;
        const char sep = text[i];
        const bool ok = sep == '.' || (sep == '-' && count == 1) || (sep == ':' && count == 2) || (sep == '*' && count == 5);
        if (!ok || i + 1 == text.size()) return std::nullopt;
        ++i;
    }
    if (count != 5 && count != 6) return std::nullopt;
    std::string out;
    for (std::size_t g = 0; g < 6; ++g) {
        if (g) out.push_back('.');
        out += std::to_string(groups[g]);
    }
    return out;
}

std::vector<DlmsRegisterConfig> read_dlms_registers(const Located& list, Issues& issues) {
    std::vector<DlmsRegisterConfig> out;
    for (const Located& element : list_elements(list, issues)) out.push_back(read_register(element, issues));
    return out;
}

std::vector<DlmsIdentityConfig> read_dlms_identity(const Located& list, Issues& issues) {
    std::vector<DlmsIdentityConfig> out;
    std::set<std::string> names;
    for (const Located& element : list_elements(list, issues)) {
        out.push_back(read_identity(element, issues));
        if (!out.back().name.empty() && !names.insert(out.back().name).second)
            issues.add(element.line, element.path + ".name", "duplicate identity name " + out.back().name);
    }
    return out;
}

std::vector<DlmsProfileConfig> read_dlms_profiles(const Located& list, Issues& issues) {
    std::vector<DlmsProfileConfig> out;
    std::set<std::string> names;
    std::set<std::string> objects;
    for (const Located& element : list_elements(list, issues)) {
        out.push_back(read_profile(element, issues));
        if (!names.insert(out.back().name).second)
            issues.add(element.line, element.path + ".name", "duplicate profile name " + out.back().name);
        if (!out.back().obis.empty() && !objects.insert(out.back().obis).second)
            issues.add(element.line, element.path + ".obis", "profile " + out.back().obis + " is already read");
    }
    return out;
}

void read_dlms_settings(const Located& where, DlmsConfig& d, bool on_bus, Issues& issues) {
    const MapReader m(where, issues,
                      {"client", "authentication", "password_key", "password", "logical_device", "physical_id",
                       "address_size", "max_info", "window", "max_pdu", "response_timeout", "inter_frame_timeout",
                       "retries", "idle_release", "priority", "register_period", "identity_period",
                       "identity_blocks", "clock_check_period", "clock_set", "clock_tolerance", "clock_guard",
                       "deviation", "utc_offset_minutes", "dst"});
    if (!m.is_map()) return;
    if (const Located* v = m.find("password"))
        issues.add(v->line, v->path,
                   "passwords are not kept in the configuration: put it in the secrets file (gateway.secrets_file, "
                   "under dlms: <key>: <password>) and name its key with password_key");
    get_integer(m, "client", {1, 127}, d.client);
    if (const Located* v = m.find("authentication"))
        if (const auto i = read_choice(*v, issues, authentication_names)) d.authentication = authentication_names[*i];
    if (const Located* v = m.find("password_key")) d.password_key = read_name(*v, issues);
    get_integer(m, "logical_device", {0, 0x3FFF}, d.logical_device);
    get_integer(m, "physical_id", {0, 0x3FFF}, d.physical_id);
    if (const Located* v = m.find("address_size")) {
        if (get_integer(m, "address_size", {1, 4}, d.address_size) && d.address_size == 3)
            issues.add(v->line, v->path, "must be 1, 2 or 4 (octets of the HDLC server address), got 3");
    }
    get_integer(m, "max_info", {32, 2030}, d.max_info);
    get_integer(m, "window", {1, 7}, d.window);
    get_integer(m, "max_pdu", {64, 65535}, d.max_pdu);
    get_duration(m, "response_timeout", limits::response_timeout, d.response_timeout);
    get_duration(m, "inter_frame_timeout", {20ms, 6s}, d.inter_frame_timeout);
    get_integer(m, "retries", {0, 10}, d.retries);
    get_duration(m, "idle_release", {1s, 1h}, d.idle_release);
    if (const Located* v = m.find("priority"))
        if (const auto i = read_choice(*v, issues, priority_names)) d.priority = priority_names[*i];
    get_period(m, "register_period", d.register_period);
    get_period(m, "identity_period", d.identity_period);
    get_boolean(m, "identity_blocks", d.identity_blocks);
    get_period(m, "clock_check_period", d.clock_check_period);
    get_boolean(m, "clock_set", d.clock_set);
    get_duration(m, "clock_tolerance", limits::time_tolerance, d.clock_tolerance);
    get_duration(m, "clock_guard", {0s, 1h}, d.clock_guard);
    if (const Located* v = m.find("deviation"))
        if (const auto i = read_choice(*v, issues, deviation_names)) d.deviation = deviation_names[*i];
    get_integer(m, "utc_offset_minutes", {-720, 840}, d.utc_offset_minutes);
    if (const Located* v = m.find("dst"))
        if (const auto i = read_choice(*v, issues, dst_names)) d.dst = dst_names[*i];
    if (!on_bus)
        for (const auto key : {"physical_id", "address_size", "max_info", "window", "inter_frame_timeout"})
            if (const Located* v = m.find(key))
                issues.add(v->line, v->path, "an HDLC setting, used only for a meter on a bus (this one is on TCP)");
    if (const Located* v = m.find("clock_set"); v && d.clock_set && d.client != 1)
        issues.add(v->line, v->path,
                   "setting the clock needs client 1 (read/write); client " + std::to_string(d.client) +
                       " may only read it (JEMStar II: clients 16 and 2 cannot set the time)");
    if (d.authentication.empty()) d.authentication = d.client == 16 ? "none" : "low";
    if (const Located* v = m.find("authentication"); v && d.authentication == "none" && d.client != 16)
        issues.add(v->line, v->path,
                   "client " + std::to_string(d.client) + " needs a password (low); only client 16 (public) has none");
}

void check_dlms_point_names(const MeterConfig& meter, const Located& where, Issues& issues) {
    std::map<std::string, int> first;
    auto add = [&](const std::string& name, int line, const std::string& what) {
        if (name.empty()) return;
        const auto [it, fresh] = first.emplace(name, line);
        if (!fresh)
            issues.add(line ? line : where.line, where.path,
                       "point name " + name + " (" + what + ") is already used at line " + std::to_string(it->second));
    };
    for (const auto& r : meter.dlms_registers) add(r.name, r.line, "register " + r.obis);
    for (const auto& p : meter.dlms_profiles) {
        for (const auto& c : p.channels) add(c.name, c.line, "profile " + p.name + " channel " + c.obis);
        add(p.status_point, p.line, "profile " + p.name + " status");
    }
}

bool Secrets::load(int line, const std::string& key_path, Issues& issues) {
    if (loaded_) return !failed_;
    loaded_ = true;
    failed_ = true;
    if (path_.empty()) {
        issues.add(line, key_path,
                   "this needs a password, but gateway.secrets_file is not set (a YAML file with dlms: or ssh: "
                   "<key>: <password>, readable only by the gateway)");
        return false;
    }
    if (const auto reason = unreadable_reason(path_)) {
        issues.add(line, key_path, "cannot read the secrets file " + path_ + ": " + *reason);
        return false;
    }
    YAML::Node root;
    try {
        root = YAML::LoadFile(path_);
    } catch (const YAML::Exception& e) {
        // The message may quote the file's text: give only the position.
        issues.add(line, key_path,
                   "the secrets file " + path_ + " is not valid YAML (line " + std::to_string(e.mark.line + 1) + ")");
        return false;
    }
    auto read_map = [&](const char* name, std::map<std::string, std::string>& out) {
        const YAML::Node map = root.IsMap() ? root[name] : YAML::Node();
        if (!map || !map.IsMap()) return false;
        for (const auto& entry : map) {
            if (!entry.first.IsScalar() || !entry.second.IsScalar()) continue;
            out[entry.first.Scalar()] = entry.second.Scalar();
        }
        return true;
    };
    has_dlms_ = read_map("dlms", dlms_);
    has_ssh_ = read_map("ssh", ssh_);
    if (!has_dlms_ && !has_ssh_) {
        issues.add(line, key_path,
                   "the secrets file " + path_ + " has neither a dlms: nor an ssh: map of password keys to passwords");
        return false;
    }
    failed_ = false;
    return true;
}

std::optional<std::string> Secrets::lookup(const std::map<std::string, std::string>& map, bool present,
                                           const char* section, std::size_t max_length, const std::string& key,
                                           int line, const std::string& key_path, Issues& issues) {
    if (!present) {
        issues.add(line, key_path, "the secrets file " + path_ + " has no " + section + ": map of password keys to passwords");
        return std::nullopt;
    }
    const auto it = map.find(key);
    if (it == map.end()) {
        issues.add(line, key_path,
                   "the secrets file " + path_ + " has no password for key " + key + " (under " + section + ":)");
        return std::nullopt;
    }
    if (it->second.empty() || it->second.size() > max_length) {
        issues.add(line, key_path,
                   "the password for key " + key + " in " + path_ + " must be 1 to " + std::to_string(max_length) +
                       " characters");
        return std::nullopt;
    }
    return it->second;
}

std::optional<std::string> Secrets::dlms_password(const std::string& key, int line, const std::string& key_path,
                                                  Issues& issues) {
    if (!load(line, key_path, issues)) return std::nullopt;
    return lookup(dlms_, has_dlms_, "dlms", 64, key, line, key_path, issues);
}

std::optional<std::string> Secrets::ssh_secret(const std::string& key, int line, const std::string& key_path,
                                               Issues& issues) {
    if (!load(line, key_path, issues)) return std::nullopt;
    return lookup(ssh_, has_ssh_, "ssh", 1024, key, line, key_path, issues);
}

}  // namespace gridgate::gateway::config_detail
