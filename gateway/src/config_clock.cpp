// The clock: map of templates and meters, key by key, and the check of a time zone name.
#include "config_clock.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config_values.hpp"

namespace gridgate::gateway::config_detail {

namespace {

using namespace std::chrono_literals;

// The reference meter's scheme: compare every 1 to 1440 minutes, tolerance 10 ms to 10 s.
constexpr DurationRange check_period_range{1min, 24h};
constexpr DurationRange tolerance_range{10ms, 10s};
constexpr DurationRange max_step_range{1s, 24h};
constexpr DurationRange guard_range{0s, 30min};
constexpr DurationRange interval_range{1min, 60min};
constexpr IntRange drift_alarm_after_range{1, 100};
constexpr std::array<std::string_view, 3> protocol_names{"modbus", "dnp3", "dlms"};

template <class T>
Given<T> given(T value, const Located& v) {
    return Given<T>{std::move(value), v.line, v.path};
}

void read_duration_key(const MapReader& m, std::string_view key, DurationRange range,
                       std::optional<Given<Duration>>& out) {
    if (const Located* v = m.find(key))
        if (const auto d = read_duration(*v, m.issues(), range)) out = given(*d, *v);
}

void read_boolean_key(const MapReader& m, std::string_view key, std::optional<Given<bool>>& out) {
    if (const Located* v = m.find(key))
        if (const auto b = read_boolean(*v, m.issues())) out = given(*b, *v);
}

void read_check_period(const MapReader& m, ClockKeys& k) {
    const Located* v = m.find("check_period");
    if (!v) return;
    const auto d = read_duration(*v, m.issues(), {Duration::zero(), check_period_range.max});
    if (!d) return;
    if (*d != Duration::zero() && *d < check_period_range.min)
        m.issues().add(v->line, v->path,
                       "must be 0 (checked only when asked) or 1m to 24h (the reference meter compares every 1 to "
                       "1440 minutes), got " + shown(v->node));
    else
        k.check_period = given(*d, *v);
}

// Meters align their intervals to the hour: whole minutes that divide 60.
void read_interval(const MapReader& m, ClockKeys& k) {
    const Located* v = m.find("interval");
    if (!v) return;
    const auto d = read_duration(*v, m.issues(), interval_range);
    if (!d) return;
    if (*d % 1min != Duration::zero() || 60min % *d != Duration::zero())
        m.issues().add(v->line, v->path,
                       "must divide an hour in whole minutes (1m, 2m, 3m, 4m, 5m, 6m, 10m, 12m, 15m, 20m, 30m or "
                       "60m), got " + shown(v->node));
    else
        k.interval = given(*d, *v);
}

void read_protocols(const MapReader& m, ClockKeys& k) {
    const Located* v = m.find("protocols");
    if (!v) return;
    if (!v->node.IsSequence() || v->node.size() == 0) {
        m.issues().add(v->line, v->path,
                       "must be a non-empty list of modbus, dnp3 or dlms, got " + shown(v->node));
        return;
    }
    std::vector<meterclock::ClockProtocol> list;
    bool ok = true;
    for (const Located& element : list_elements(*v, m.issues())) {
        const auto i = read_choice(element, m.issues(), protocol_names);
        if (!i) {
            ok = false;
            continue;
        }
        const auto p = *meterclock::clock_protocol_from(protocol_names[*i]);
        if (std::find(list.begin(), list.end(), p) != list.end()) {
            m.issues().add(element.line, element.path, "protocol " + std::string(protocol_names[*i]) + " is listed twice");
            ok = false;
        }
        list.push_back(p);
    }
    if (ok) k.protocols = given(std::move(list), *v);
}

}  // namespace

ClockKeys read_clock_keys(const Located& where, Issues& issues) {
    const MapReader m(where, issues,
                      {"check_period", "tolerance", "set", "max_step", "allow_large_step", "guard", "interval",
                       "drift_alarm_after", "time_zone", "protocols"});
    ClockKeys k;
    k.line = where.line;
    k.path = where.path;
    if (!m.is_map()) return k;
    read_check_period(m, k);
    read_duration_key(m, "tolerance", tolerance_range, k.tolerance);
    read_boolean_key(m, "set", k.set);
    read_duration_key(m, "max_step", max_step_range, k.max_step);
    read_boolean_key(m, "allow_large_step", k.allow_large_step);
    read_duration_key(m, "guard", guard_range, k.guard);
    read_interval(m, k);
    if (const Located* v = m.find("drift_alarm_after"))
        if (const auto n = read_integer(*v, issues, drift_alarm_after_range))
            k.drift_alarm_after = given(static_cast<unsigned>(*n), *v);
    if (const Located* v = m.find("time_zone"))
        if (const auto name = read_text(*v, issues)) {
            if (const auto problem = time_zone_problem(*name))
                issues.add(v->line, v->path, *problem);
            else
                k.time_zone = given(*name, *v);
        }
    read_protocols(m, k);
    return k;
}

std::optional<std::string> time_zone_problem(const std::string& name) {
    if (name == "UTC") return std::nullopt;
    const std::string hint = " (write UTC or an IANA name such as Europe/Berlin or America/New_York)";
    const bool fixed = (name.rfind("UTC", 0) == 0 || name.rfind("GMT", 0) == 0) && name.size() > 3 &&
                       (name[3] == '+' || name[3] == '-');
    if (fixed || name.find(':') != std::string::npos)
        return "a fixed UTC offset is not accepted, got " + name +
               ": give the zone's IANA name, which carries its DST rules (Asia/Kolkata for +05:30; Etc/GMT-5 is a "
               "fixed UTC+5, with the POSIX sign)";
    bool ok = !name.empty() && name.size() <= 255 && name.front() != '/' && name.back() != '/';
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '+' && c != '/') ok = false;
    if (!ok || name.find("//") != std::string::npos)
        return "is not a time zone name, got " + name + hint;
    if (name == "localtime" || name.rfind("right/", 0) == 0)
        return name + " is not accepted: " +
               (name == "localtime" ? std::string("it is whatever this machine is set to")
                                    : std::string("right/ zones count leap seconds, which meter clocks do not")) +
               hint;
    const char* dir = std::getenv("TZDIR");
    const std::filesystem::path file = std::filesystem::path(dir && *dir ? dir : "/usr/share/zoneinfo") / name;
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) return name + " is a group of zones, not a zone" + hint;
    std::ifstream in(file, std::ios::binary);
    if (!in) return "unknown time zone " + name + ": there is no " + file.string() + hint;
    std::array<char, 4> magic{};
    if (!in.read(magic.data(), magic.size()) || std::string_view(magic.data(), magic.size()) != "TZif")
        return file.string() + " is not a time zone file (no TZif header)";
    return std::nullopt;
}

}  // namespace gridgate::gateway::config_detail
