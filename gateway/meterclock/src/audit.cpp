#include "gridgate/meterclock/audit.hpp"

#include <nlohmann/json.hpp>

namespace gridgate::meterclock {

namespace {

// Milliseconds with the µs kept: 1234.567.
nlohmann::json ms_or_null(const std::optional<Duration>& d) {
    if (!d) return nullptr;
    return static_cast<double>(d->count()) / 1000.0;
}

template <class Enum>
nlohmann::json name_or_null(const std::optional<Enum>& e) {
    if (!e) return nullptr;
    return std::string(to_string(*e));
}

}  // namespace

ClockAuditRecord audit_record(std::string meter, const ClockCheck& check, const ClockDecision& decision,
                              const ClockPolicyConfig& config) {
    ClockAuditRecord r;
    r.meter = std::move(meter);
    r.protocol = check.protocol;
    r.offset_before = check.offset;
    r.uncertainty = check.uncertainty;
    r.tolerance = config.tolerance;
    r.max_step = config.max_step;
    r.gateway_time_quality = check.gateway_quality;
    r.action = decision.action;
    r.reason = decision.reason;
    r.retry_at = decision.retry_at;
    r.drift = decision.drift;
    return r;
}

std::string audit_detail(std::string_view kind, const ClockAuditRecord& r) {
    nlohmann::json j;
    j["meter"] = r.meter;
    j["protocol"] = std::string(to_string(r.protocol));
    j["offset_before_ms"] = ms_or_null(r.offset_before);
    j["offset_after_ms"] = ms_or_null(r.offset_after);
    j["uncertainty_ms"] = ms_or_null(r.uncertainty);
    j["tolerance_ms"] = ms_or_null(r.tolerance);
    j["gateway_time_quality"] = std::string(to_string(r.gateway_time_quality));
    j["action"] = name_or_null(r.action);
    j["reason"] = name_or_null(r.reason);
    j["result"] = r.result;
    if (kind == audit_kind::time_check) {
        j["retry_at"] = r.retry_at ? nlohmann::json(format_iso8601_utc(*r.retry_at)) : nlohmann::json(nullptr);
    } else if (kind == audit_kind::clock_drift) {
        j["consecutive"] = r.drift ? nlohmann::json(r.drift->consecutive) : nlohmann::json(nullptr);
        j["drift_ppm"] = r.drift && r.drift->ppm ? nlohmann::json(*r.drift->ppm) : nlohmann::json(nullptr);
    } else if (kind == audit_kind::clock_large_offset) {
        j["max_step_ms"] = ms_or_null(r.max_step);
    }
    return j.dump();
}

std::vector<std::string_view> audit_kinds(const ClockDecision& decision) {
    std::vector<std::string_view> kinds{audit_kind::time_check};
    if (decision.drift) kinds.push_back(audit_kind::clock_drift);
    if (decision.large_offset) kinds.push_back(audit_kind::clock_large_offset);
    return kinds;
}

}  // namespace gridgate::meterclock
