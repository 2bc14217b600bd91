#include "config_dnp3.hpp"

#include <array>
#include <map>
#include <set>

#include "config_limits.hpp"
#include "config_values.hpp"

namespace gridgate::gateway::config_detail {

namespace {

constexpr std::array<std::string_view, 5> type_names{"binary_input", "binary_output", "counter", "frozen_counter",
                                                     "analog_input"};
constexpr std::array<std::string_view, 3> rollover_names{"none", "32bit", "999999999"};
constexpr std::array<std::string_view, 4> time_sync_names{"auto", "none", "lan", "non_lan"};
constexpr std::array<std::string_view, 3> priority_names{"high", "normal", "low"};

bool is_counter(const std::string& type) { return type == "counter" || type == "frozen_counter"; }

// Variations a read may ask for, per type (IEEE 1815 static objects; 0 = default).
bool variation_exists(const std::string& type, unsigned v) {
    if (v == 0) return true;
    if (type == "binary_input") return v <= 2;
    if (type == "binary_output") return v <= 2;
    if (type == "counter") return v == 1 || v == 2 || v == 5 || v == 6;
    if (type == "frozen_counter") return v == 1 || v == 2 || v == 5 || v == 6 || v == 9 || v == 10;
    if (type == "analog_input") return v <= 6;
    return false;
}

Dnp3PointRead read_point(const Located& where, Issues& issues) {
    Dnp3PointRead out;
    Dnp3PointConfig& p = out.point;
    p.line = where.line;
    out.name_line = where.line;
    const MapReader m(where, issues, {"name", "type", "index", "scale", "offset", "unit", "rollover"});
    if (!m.is_map()) return out;
    if (const Located* v = m.require("name")) {
        p.name = read_name(*v, issues);
        out.name_line = v->line;
    }
    if (const Located* v = m.require("type"))
        if (const auto i = read_choice(*v, issues, type_names)) p.type = type_names[*i];
    if (m.require("index")) get_integer(m, "index", limits::dnp3_index, p.index);
    if (const Located* v = m.find("scale"))
        if (auto x = read_number(*v, issues, "a finite, non-zero number", [](double d) { return d != 0.0; }))
            p.scale = *x;
    if (const Located* v = m.find("offset"))
        if (auto x = read_number(*v, issues, "a finite number", [](double) { return true; })) p.offset = *x;
    get_text(m, "unit", p.unit, true);
    if (const Located* v = m.find("rollover")) {
        if (const auto i = read_choice(*v, issues, rollover_names)) p.rollover = rollover_names[*i];
        if (!is_counter(p.type) && p.rollover != "none")
            issues.add(v->line, v->path, "only counters roll over (this point is a " + p.type + ")");
    }
    return out;
}

Dnp3ReadConfig read_one_read(const Located& where, Issues& issues) {
    Dnp3ReadConfig r;
    r.line = where.line;
    const MapReader m(where, issues, {"name", "type", "start", "stop", "variation", "period"});
    if (!m.is_map()) return r;
    if (const Located* v = m.require("name")) r.name = read_name(*v, issues);
    if (const Located* v = m.require("type"))
        if (const auto i = read_choice(*v, issues, type_names)) r.type = type_names[*i];
    if (m.require("start")) get_integer(m, "start", limits::dnp3_index, r.start);
    if (const Located* v = m.require("stop"))
        if (get_integer(m, "stop", limits::dnp3_index, r.stop) && r.stop < r.start)
            issues.add(v->line, v->path,
                       "must not be below start (" + std::to_string(r.start) + "), got " + shown(v->node));
    if (const Located* v = m.find("variation"))
        if (get_integer(m, "variation", {0, 255}, r.variation) && !variation_exists(r.type, r.variation))
            issues.add(v->line, v->path, "variation " + std::to_string(r.variation) + " does not exist for " + r.type);
    get_duration(m, "period", limits::dnp3_read_period, r.period);
    return r;
}

// A period that may be 0 (off).
void get_period(const MapReader& m, std::string_view key, Duration& out) {
    const Located* v = m.find(key);
    if (!v) return;
    if (auto d = read_duration(*v, m.issues(), {Duration::zero(), limits::dnp3_period.max})) {
        if (*d != Duration::zero() && *d < limits::dnp3_period.min)
            m.issues().add(v->line, v->path,
                           "must be 0 (off) or at least " + format_duration(limits::dnp3_period.min) + ", got " +
                               shown(v->node));
        else
            out = *d;
    }
}

}  // namespace

std::vector<Dnp3PointRead> read_dnp3_points(const Located& list, Issues& issues) {
    std::vector<Dnp3PointRead> out;
    for (const Located& element : list_elements(list, issues)) out.push_back(read_point(element, issues));
    return out;
}

void check_dnp3_points(const std::vector<Dnp3PointRead>& points, std::size_t inherited, const std::string& template_id,
                       const std::string& own_list_path, Issues& issues) {
    std::map<std::string, std::size_t> first_name;
    std::map<std::pair<std::string, std::uint32_t>, std::size_t> first_index;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const Dnp3PointConfig& p = points[i].point;
        const bool own = i >= inherited;
        const std::string path = own_list_path + "[" + std::to_string(i - (own ? inherited : 0)) + "]";
        auto where_first = [&](std::size_t first) {
            if (first < inherited && own)
                return "already in template " + template_id + ", line " + std::to_string(points[first].name_line);
            return "first defined at line " + std::to_string(points[first].name_line);
        };
        if (!p.name.empty()) {
            const auto [it, fresh] = first_name.emplace(p.name, i);
            if (!fresh && (own || inherited == 0))
                issues.add(points[i].name_line, path + ".name",
                           "duplicate point name " + p.name + " (" + where_first(it->second) + ")");
        }
        const auto [it, fresh] = first_index.emplace(std::make_pair(p.type, p.index), i);
        if (!fresh && (own || inherited == 0))
            issues.add(p.line, path + ".index",
                       p.type + " index " + std::to_string(p.index) + " is already mapped to point " +
                           points[it->second].point.name + " (" + where_first(it->second) + ")");
    }
}

int read_dnp3_settings(const Located& where, Dnp3Config& d, Issues& issues) {
    const MapReader m(where, issues,
                      {"address", "master_address", "confirmed_link", "link_retries", "link_timeout",
                       "response_timeout", "integrity_period", "class0_period", "class1_period", "class2_period",
                       "class3_period", "time_sync", "time_check_period", "time_tolerance", "sync_on_need_time",
                       "priority"});
    if (!m.is_map()) return 0;
    get_integer(m, "address", limits::dnp3_address, d.address);
    get_integer(m, "master_address", limits::dnp3_address, d.master_address);
    if (const Located* v = m.find("master_address"); v && d.master_address == d.address)
        issues.add(v->line, v->path,
                   "must differ from the outstation's address (" + std::to_string(d.address) + ")");
    get_boolean(m, "confirmed_link", d.confirmed_link);
    get_integer(m, "link_retries", {0, 255}, d.link_retries);
    get_duration(m, "link_timeout", limits::response_timeout, d.link_timeout);
    get_duration(m, "response_timeout", limits::response_timeout, d.response_timeout);
    get_period(m, "integrity_period", d.integrity_period);
    get_period(m, "class0_period", d.class0_period);
    get_period(m, "class1_period", d.class1_period);
    get_period(m, "class2_period", d.class2_period);
    get_period(m, "class3_period", d.class3_period);
    if (const Located* v = m.find("time_sync"))
        if (const auto i = read_choice(*v, issues, time_sync_names)) d.time_sync = time_sync_names[*i];
    get_period(m, "time_check_period", d.time_check_period);
    get_duration(m, "time_tolerance", limits::time_tolerance, d.time_tolerance);
    get_boolean(m, "sync_on_need_time", d.sync_on_need_time);
    if (const Located* v = m.find("priority"))
        if (const auto i = read_choice(*v, issues, priority_names)) d.priority = priority_names[*i];
    const Located* address = m.find("address");
    return address ? address->line : 0;
}

std::vector<Dnp3ReadConfig> read_dnp3_reads(const Located& list, Issues& issues) {
    std::vector<Dnp3ReadConfig> out;
    std::set<std::string> names;
    for (const Located& element : list_elements(list, issues)) {
        out.push_back(read_one_read(element, issues));
        if (!out.back().name.empty() && !names.insert(out.back().name).second)
            issues.add(element.line, element.path + ".name", "duplicate read name " + out.back().name);
    }
    return out;
}

}  // namespace gridgate::gateway::config_detail
