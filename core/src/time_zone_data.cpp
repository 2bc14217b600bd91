// Lookups over a zone's data: the explicit transitions of a TZif file, then its POSIX
// footer after the last one.
#include <algorithm>

#include "time_zone_detail.hpp"

namespace gridgate::tz_detail {

bool same_offset(const LocalType& a, const LocalType& b) {
    return a.utc_offset_s == b.utc_offset_s && a.dst == b.dst && a.abbreviation == b.abbreviation;
}

const LocalType& ZoneData::type_at(std::int64_t utc_s) const {
    if (transitions.empty()) return footer ? footer->type_at(utc_s) : types.front();
    const auto after = std::upper_bound(transitions.begin(), transitions.end(), utc_s);
    // RFC 8536: type 0 applies before the first transition.
    if (after == transitions.begin()) return types.front();
    if (after == transitions.end() && footer && utc_s > transitions.back()) return footer->type_at(utc_s);
    const auto index = static_cast<std::size_t>(after - transitions.begin() - 1);
    return types[transition_types[index]];
}

std::vector<Change> ZoneData::changes_between(std::int64_t from, std::int64_t to) const {
    std::vector<Change> raw;
    auto it = std::upper_bound(transitions.begin(), transitions.end(), from);
    for (; it != transitions.end() && *it <= to; ++it) {
        raw.push_back({*it, &types[transition_types[static_cast<std::size_t>(it - transitions.begin())]]});
    }
    if (footer) {
        const std::int64_t footer_from = transitions.empty() ? from : std::max(from, transitions.back());
        footer->append_changes(footer_from, to, raw);
    }
    // Keep only real changes; of several at one instant the last one holds.
    std::vector<Change> changes;
    const LocalType* current = &type_at(from);
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (i + 1 < raw.size() && raw[i + 1].at_s == raw[i].at_s) continue;
        if (same_offset(*raw[i].type, *current)) continue;
        changes.push_back(raw[i]);
        current = raw[i].type;
    }
    return changes;
}

}  // namespace gridgate::tz_detail
