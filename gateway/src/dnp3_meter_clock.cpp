// Dnp3Meter and its meter's clock: each measurement the session makes goes through the
// MeterClockPolicy; the checks, sets and alarms are audited as meterclock/audit.hpp says.
#include "dnp3_meter.hpp"

#include "gridgate/meterclock/offset.hpp"

namespace gridgate::gateway {

namespace {

// g50v1 carries milliseconds; a meter formats its clock truncated to them.
constexpr Duration dnp3_time_resolution = std::chrono::milliseconds(1);

nlohmann::json iso_or_null(std::optional<TimestampUs> ts) {
    if (!ts || *ts == 0) return nullptr;
    return format_iso8601_utc(*ts);
}

nlohmann::json ms_or_null(std::optional<Duration> d) {
    if (!d) return nullptr;
    return static_cast<double>(d->count()) / 1000.0;
}

}  // namespace

std::optional<TimeZone> meter_time_zone(const meterclock::ClockPolicyConfig& c) {
    if (c.time_zone.empty() || c.time_zone == "UTC") return std::nullopt;
    return TimeZone::load(c.time_zone);  // the configuration loader checked it loads
}

void Dnp3Meter::request_clock_check() { session_->request_time_check(); }

void Dnp3Meter::request_clock_set(bool force) {
    if (force) {
        std::lock_guard lock(clock_mutex_);
        policy_.force_next_set();
    }
    logger_.info("dnp3", id_ + (force ? ": forced clock set requested" : ": clock set requested"));
    session_->request_time_check();
}

dnp3::ClockVerdict Dnp3Meter::decide_clock(const dnp3::ClockMeasurement& m) {
    using namespace meterclock;
    const GatewayTimeQuality quality = time_quality_ ? time_quality_() : GatewayTimeQuality::unsynced;
    const auto measured = m.meter_us ? measure_offset(m.sent_us, *m.meter_us, m.received_us, dnp3_time_resolution)
                                     : std::nullopt;
    const auto audit = [&](std::string_view kind, const ClockAuditRecord& r) {
        // The DNP3 detail says whether the outstation asked (IIN NEED_TIME).
        nlohmann::json detail = nlohmann::json::parse(audit_detail(kind, r));
        detail["need_time"] = m.need_time;
        record(kind, detail.dump());
    };
    if (!measured) {
        // No time in the answer, or the gateway's clock stepped back during the exchange.
        ClockAuditRecord r;
        r.meter = id_;
        r.gateway_time_quality = quality;
        r.result = "failed";
        {
            std::lock_guard lock(clock_mutex_);
            r.tolerance = policy_.config().tolerance;
            r.max_step = policy_.config().max_step;
        }
        logger_.warn("dnp3", id_ + ": meter clock check failed: no usable time read");
        audit(audit_kind::time_check, r);
        return {};
    }
    ClockCheck check;
    check.at = m.received_us;
    check.offset = measured->offset;
    check.uncertainty = measured->uncertainty;
    check.gateway_quality = quality;
    check.protocol = ClockProtocol::dnp3;
    if (zone_) check.utc_offset = std::chrono::seconds(zone_->at(check.at).utc_offset_s);
    ClockDecision decision;
    ClockAuditRecord r;
    {
        std::lock_guard lock(clock_mutex_);
        decision = policy_.decide(check);
        r = audit_record(id_, check, decision, policy_.config());
    }
    for (const auto kind : audit_kinds(decision)) audit(kind, r);
    const std::string why(to_string(decision.reason));
    if (m.need_time && decision.action != ClockAction::set)
        logger_.info("dnp3", id_ + ": the meter asks for the time (NEED_TIME); not set: " + why);
    dnp3::ClockVerdict verdict;
    verdict.reason = why;
    verdict.set = decision.action == ClockAction::set;
    if (verdict.set) pending_set_ = r;
    if (decision.retry_at) verdict.recheck_after = Duration{std::max<TimestampUs>(0, *decision.retry_at - clock_.now_utc_us())};
    return verdict;
}

void Dnp3Meter::on_time_set(const dnp3::TimeSetResult& result) {
    using namespace meterclock;
    std::optional<Duration> after;
    if (result.after && result.after->meter_us)
        if (const auto m = measure_offset(result.after->sent_us, *result.after->meter_us, result.after->received_us,
                                          dnp3_time_resolution))
            after = m->offset;
    {
        std::lock_guard lock(clock_mutex_);
        policy_.on_set(result.result == "ok", after, result.at_us);
        last_set_result_ = result.result;
        last_set_attempt_us_ = result.at_us;
    }
    ClockAuditRecord r = pending_set_.value_or(ClockAuditRecord{});
    pending_set_.reset();
    r.meter = id_;
    r.offset_after = after;
    r.result = result.result;
    nlohmann::json detail = nlohmann::json::parse(audit_detail(audit_kind::time_set, r));
    detail["procedure"] = dnp3::to_string(result.procedure);
    if (!result.error.empty()) detail["error"] = result.error;
    logger_.log(result.result == "ok" ? LogLevel::info : LogLevel::warn, "dnp3",
                id_ + ": meter clock set " + detail.dump());
    record(audit_kind::time_set, detail.dump());
}

nlohmann::json Dnp3Meter::clock_status() const {
    std::lock_guard lock(clock_mutex_);
    const meterclock::MeterClockState st = policy_.state();
    const meterclock::ClockPolicyConfig& c = policy_.config();
    nlohmann::json j{{"protocol", "dnp3"},
                     {"time_zone", c.time_zone},
                     {"set_allowed", c.may_set_over(meterclock::ClockProtocol::dnp3)},
                     {"tolerance_ms", ms_or_null(c.tolerance)},
                     {"check_period_s", std::chrono::duration_cast<std::chrono::seconds>(c.check_period).count()},
                     {"last_check_at", nullptr},
                     {"last_offset_ms", nullptr},
                     {"last_uncertainty_ms", nullptr},
                     {"last_gateway_time_quality", nullptr},
                     {"last_set_at", iso_or_null(st.last_set_at)},
                     {"offset_after_set_ms", ms_or_null(st.offset_after_set)},
                     {"last_set_result", last_set_result_ ? nlohmann::json(*last_set_result_) : nlohmann::json(nullptr)},
                     {"last_set_attempt_at", iso_or_null(last_set_attempt_us_)},
                     {"drift_streak", st.drift_streak},
                     {"force_pending", st.force_pending},
                     {"next_check", iso_or_null(policy_.next_check(clock_.now_utc_us()))}};
    if (st.last_check) {
        j["last_check_at"] = format_iso8601_utc(st.last_check->at);
        j["last_offset_ms"] = ms_or_null(st.last_check->offset);
        j["last_uncertainty_ms"] = ms_or_null(st.last_check->uncertainty);
        j["last_gateway_time_quality"] = std::string(to_string(st.last_check->gateway_quality));
    }
    return j;
}

}  // namespace gridgate::gateway
