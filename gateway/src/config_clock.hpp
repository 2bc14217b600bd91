#pragma once
// Loader internals: the meter clock policy. A `clock:` map may be given on a template and
// on a meter; the meter's keys win one by one. Each value is checked where it is read;
// the combinations (max_step over tolerance, guard against interval, set against the
// protocol, the old dnp3:/dlms: clock keys) once the meter's policy is complete. Without a
// clock: map on either, the policy is built from the old keys (MeterConfig::clock_from_legacy).
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config_yaml.hpp"

namespace gridgate::gateway::config_detail {

// A value as given, with where, so a problem found after the merge points at the line
// that set it (the template's or the meter's).
template <class T>
struct Given {
    T value{};
    int line = 0;
    std::string path;
};

// One clock: map as read. Absent keys stay empty; refused values too.
struct ClockKeys {
    int line = 0;       // of the clock: key
    std::string path;   // e.g. templates[0].clock
    std::optional<Given<Duration>> check_period, tolerance, max_step, guard, interval;
    std::optional<Given<bool>> set, allow_large_step;
    std::optional<Given<unsigned>> drift_alarm_after;
    std::optional<Given<std::string>> time_zone;
    std::optional<Given<std::vector<meterclock::ClockProtocol>>> protocols;
};

ClockKeys read_clock_keys(const Located& where, Issues& issues);

// What the meters' policies need across the file: the templates' clock: maps, and the
// problems already reported against a template's key (reported once, not per meter).
struct ClockContext {
    std::map<std::string, ClockKeys> templates;
    std::set<std::string> reported;
};

// Sets meter.clock (the meter's other settings, template and protocol already read).
// `m`: the meter's map, for its clock: key and its old dnp3:/dlms: clock keys.
void read_meter_clock(const MapReader& m, MeterConfig& meter, ClockContext& ctx);

// Why `name` is not a usable meter time zone, or nullopt: "UTC", or an IANA name whose
// file under $TZDIR (default /usr/share/zoneinfo) is a TZif file.
std::optional<std::string> time_zone_problem(const std::string& name);

}  // namespace gridgate::gateway::config_detail
