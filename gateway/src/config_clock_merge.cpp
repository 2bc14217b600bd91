// A meter's clock policy: defaults, then its template's clock: keys, then its own; the
// checks of the combination against each other and against the meter's protocol; or,
// without a clock: map, the old dnp3:/dlms: clock keys.
#include <algorithm>
#include <array>

#include "config_clock.hpp"
#include "config_values.hpp"

namespace gridgate::gateway::config_detail {

namespace {

using meterclock::ClockProtocol;

// Old keys and the clock: key that replaces each.
struct OldKey {
    std::string_view name;
    std::string_view replacement;
};
constexpr std::array<OldKey, 2> old_dnp3_keys{{{"time_check_period", "check_period"}, {"time_tolerance", "tolerance"}}};
constexpr std::array<OldKey, 4> old_dlms_keys{{{"clock_check_period", "check_period"},
                                               {"clock_set", "set"},
                                               {"clock_tolerance", "tolerance"},
                                               {"clock_guard", "guard"}}};

// The meter's own value of a key, else the template's, else nullptr (the default).
template <class T>
const Given<T>* pick(const ClockKeys* from_template, const ClockKeys* own, std::optional<Given<T>> ClockKeys::*key) {
    if (own && own->*key) return &*(own->*key);
    if (from_template && from_template->*key) return &*(from_template->*key);
    return nullptr;
}

template <class T>
void apply(const Given<T>* g, T& out) {
    if (g) out = g->value;
}

// Reports once per (line, path, message): a template's problem is not repeated per meter.
class Reporter {
public:
    Reporter(Issues& issues, ClockContext& ctx, const ClockKeys& anchor) : issues_(issues), ctx_(ctx), anchor_(anchor) {}

    template <class T>
    void at(const Given<T>* g, std::string_view key, const std::string& message) {
        if (g) return add(g->line, g->path, message);
        add(anchor_.line, anchor_.path + "." + std::string(key), message);
    }
    void add(int line, const std::string& path, const std::string& message) {
        if (ctx_.reported.insert(std::to_string(line) + " " + path + " " + message).second)
            issues_.add(line, path, message);
    }

private:
    Issues& issues_;
    ClockContext& ctx_;
    const ClockKeys& anchor_;
};

// The old clock keys given in the meter's dnp3: or dlms: map, with where.
std::vector<std::pair<Located, std::string_view>> old_keys_given(const MapReader& m, const MeterConfig& meter) {
    std::vector<std::pair<Located, std::string_view>> out;
    const bool dnp3 = meter.protocol == "dnp3";
    if (!dnp3 && meter.protocol != "dlms") return out;
    const Located* section = m.find(dnp3 ? "dnp3" : "dlms");
    if (!section || !section->node.IsMap()) return out;
    for (const auto& entry : section->node) {
        if (!entry.first.IsScalar()) continue;
        const auto check = [&](const OldKey& old) {
            if (entry.first.Scalar() != old.name) return;
            const int line = entry.first.Mark().line >= 0 ? entry.first.Mark().line + 1 : section->line;
            out.emplace_back(Located{entry.second, section->path + "." + std::string(old.name), line}, old.replacement);
        };
        if (dnp3) std::for_each(old_dnp3_keys.begin(), old_dnp3_keys.end(), check);
        else std::for_each(old_dlms_keys.begin(), old_dlms_keys.end(), check);
    }
    return out;
}

// The policy from the old keys (read already into meter.dnp3 / meter.dlms): what they
// said, and the defaults for what they could not say.
void from_legacy(MeterConfig& meter, ClockProtocol own) {
    meterclock::ClockPolicyConfig& c = meter.clock;
    if (meter.protocol == "dnp3") {
        c.check_period = meter.dnp3.time_check_period;
        c.tolerance = meter.dnp3.time_tolerance;
        c.set = meter.dnp3.time_sync != "none";
        c.guard = Duration::zero();  // the old DNP3 keys had no guard window
    } else if (meter.protocol == "dlms") {
        c.check_period = meter.dlms.clock_check_period;
        c.tolerance = meter.dlms.clock_tolerance;
        c.set = meter.dlms.clock_set;
        c.guard = meter.dlms.clock_guard;
    }
    // The old tolerance went up to 1h: keep max_step above it.
    c.max_step = std::max(c.max_step, 2 * c.tolerance);
    c.protocols = {own};
    meter.clock_from_legacy = true;
}

// The old fields follow the policy, so code still reading them behaves as configured.
void mirror_to_legacy(MeterConfig& meter) {
    const meterclock::ClockPolicyConfig& c = meter.clock;
    if (meter.protocol == "dnp3") {
        meter.dnp3.time_check_period = c.check_period;
        meter.dnp3.time_tolerance = c.tolerance;
        if (!c.set) meter.dnp3.time_sync = "none";
    } else if (meter.protocol == "dlms") {
        meter.dlms.clock_check_period = c.check_period;
        meter.dlms.clock_tolerance = c.tolerance;
        meter.dlms.clock_set = c.set;
        meter.dlms.clock_guard = c.guard;
    }
}

void check_protocols(const Given<std::vector<ClockProtocol>>* protocols, const Given<bool>* set, const MapReader& m,
                     const MeterConfig& meter, ClockProtocol own, Reporter& report) {
    const meterclock::ClockPolicyConfig& c = meter.clock;
    const std::string own_name(meterclock::to_string(own));
    for (const ClockProtocol p : c.protocols) {
        if (p == own) continue;
        report.at(protocols, "protocols",
                  "the meter is read over " + own_name + " only; the gateway has no " +
                      std::string(meterclock::to_string(p)) + " session to its clock");
    }
    if (!c.set) return;
    if (own == ClockProtocol::modbus) {
        report.at(set, "set",
                  "a Modbus meter's clock cannot be set: Modbus has no time write (the JEMStar II's Modbus map only "
                  "shows the time, read-only); set it over DNP3 or DLMS, or let it take NTP, and use set: false here");
        return;
    }
    if (meter.protocol == "dlms" && meter.dlms.client != 1)
        report.at(set, "set",
                  "setting the clock needs DLMS client 1 (read/write); this meter uses client " +
                      std::to_string(meter.dlms.client) + " (JEMStar II: clients 16 and 2 cannot set the time)");
    if (meter.protocol == "dnp3" && meter.dnp3.time_sync == "none") {
        const Located* dnp3 = m.find("dnp3");
        const YAML::Node key = dnp3 && dnp3->node.IsMap() ? dnp3->node["time_sync"] : YAML::Node();
        const int line = key && key.Mark().line >= 0 ? key.Mark().line + 1 : 0;
        report.at(set, "set",
                  "contradicts dnp3.time_sync: none" + (line ? " (line " + std::to_string(line) + ")" : std::string()) +
                      ", which forbids setting the clock; remove one of them");
    }
}

}  // namespace

void read_meter_clock(const MapReader& m, MeterConfig& meter, ClockContext& ctx) {
    const auto own_protocol = meterclock::clock_protocol_from(meter.protocol).value_or(ClockProtocol::modbus);
    std::optional<ClockKeys> own_keys;
    if (const Located* v = m.find("clock")) own_keys = read_clock_keys(*v, m.issues());
    const auto t = ctx.templates.find(meter.template_id);
    const ClockKeys* from_template = t != ctx.templates.end() ? &t->second : nullptr;
    const ClockKeys* own = own_keys ? &*own_keys : nullptr;
    if (!own && !from_template) return from_legacy(meter, own_protocol);

    meterclock::ClockPolicyConfig& c = meter.clock;
    c.protocols = {own_protocol};
    apply(pick(from_template, own, &ClockKeys::check_period), c.check_period);
    apply(pick(from_template, own, &ClockKeys::tolerance), c.tolerance);
    apply(pick(from_template, own, &ClockKeys::set), c.set);
    apply(pick(from_template, own, &ClockKeys::max_step), c.max_step);
    apply(pick(from_template, own, &ClockKeys::allow_large_step), c.allow_large_step);
    apply(pick(from_template, own, &ClockKeys::guard), c.guard);
    apply(pick(from_template, own, &ClockKeys::interval), c.interval);
    apply(pick(from_template, own, &ClockKeys::drift_alarm_after), c.drift_alarm_after);
    apply(pick(from_template, own, &ClockKeys::time_zone), c.time_zone);
    apply(pick(from_template, own, &ClockKeys::protocols), c.protocols);

    const ClockKeys& anchor = own ? *own : *from_template;
    Reporter report(m.issues(), ctx, anchor);
    if (c.max_step <= c.tolerance) {
        const auto* max_step = pick(from_template, own, &ClockKeys::max_step);
        const auto* tolerance = pick(from_template, own, &ClockKeys::tolerance);
        report.at(max_step ? max_step : tolerance, max_step || !tolerance ? "max_step" : "tolerance",
                  "max_step (" + format_duration(c.max_step) + ") must be larger than tolerance (" +
                      format_duration(c.tolerance) + ")");
    }
    if (2 * c.guard >= c.interval) {
        const auto* guard = pick(from_template, own, &ClockKeys::guard);
        const auto* interval = pick(from_template, own, &ClockKeys::interval);
        report.at(guard ? guard : interval, guard || !interval ? "guard" : "interval",
                  "guard (" + format_duration(c.guard) + ") must be less than half the interval (" +
                      format_duration(c.interval) + "): the windows around its ends would leave no time to set");
    }
    check_protocols(pick(from_template, own, &ClockKeys::protocols), pick(from_template, own, &ClockKeys::set), m,
                    meter, own_protocol, report);
    for (const auto& [old, replacement] : old_keys_given(m, meter))
        report.add(old.line, old.path,
                   "an old clock key, but this meter has a clock: section (" +
                       (own ? "line " + std::to_string(own->line)
                            : "from template " + meter.template_id + ", line " + std::to_string(from_template->line)) +
                       ") that replaces it: give clock." + std::string(replacement) + " there instead");
    mirror_to_legacy(meter);
}

}  // namespace gridgate::gateway::config_detail
