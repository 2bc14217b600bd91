// The `time:` section: where the gateway's own time quality comes from (docs/time.md).
#include <array>
#include <stdexcept>
#include <string_view>

#include "config_limits.hpp"
#include "config_sections.hpp"
#include "config_values.hpp"
#include "gridgate/time/chrony_client.hpp"

namespace gridgate::gateway::config_detail {

namespace {
constexpr std::array<std::string_view, 2> source_names{"chrony", "none"};
}  // namespace

void read_time_section(const MapReader& root, GatewayConfig& cfg) {
    const Located* where = root.find("time");
    if (!where) return;
    Issues& issues = root.issues();
    TimeConfig& t = cfg.time;
    const MapReader m(*where, issues, {"source", "chrony", "poll_interval", "max_error", "holdover", "sources_lost_after"});
    if (const Located* v = m.find("source"))
        if (const auto i = read_choice(*v, issues, source_names)) t.source = source_names[*i];
    if (get_text(m, "chrony", t.chrony)) {
        try {
            (void)timesync::ChronyEndpoint::parse(t.chrony);
        } catch (const std::invalid_argument& e) {
            const Located* v = m.find("chrony");
            issues.add(v->line, v->path,
                       std::string("must be chronyd's command socket (unix:/path or /path) or host:port, got ") +
                           shown(v->node) + ": " + e.what());
        }
    }
    get_duration(m, "poll_interval", {std::chrono::seconds(1), std::chrono::minutes(10)}, t.poll_interval);
    get_duration(m, "max_error", {std::chrono::milliseconds(1), std::chrono::seconds(10)}, t.max_error);
    get_duration(m, "holdover", {Duration::zero(), std::chrono::hours(24 * 7)}, t.holdover);
    get_duration(m, "sources_lost_after", {std::chrono::seconds(1), std::chrono::hours(1)}, t.sources_lost_after);
}

}  // namespace gridgate::gateway::config_detail
