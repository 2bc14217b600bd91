#include "dlms_meter.hpp"

#include <nlohmann/json.hpp>

#include "gridgate/meterclock/offset.hpp"

namespace gridgate::gateway {

namespace {

transport::LinePriority to_line_priority(const std::string& p) {
    if (p == "high") return transport::LinePriority::high;
    if (p == "low") return transport::LinePriority::low;
    return transport::LinePriority::normal;
}

dlms::Obis obis_of(const std::string& text) { return dlms::Obis::parse(text).value_or(dlms::Obis{}); }

dlms::TimeInterpretation to_time_interpretation(const DlmsConfig& d, const std::string& time_zone) {
    dlms::TimeInterpretation how;
    how.sign = d.deviation == "iso" ? dlms::DeviationSign::iso : dlms::DeviationSign::blue_book;
    how.ignore_deviation = d.deviation == "ignore";
    if (d.utc_offset_minutes != 0 || d.dst != "none" || how.ignore_deviation) {
        dlms::LocalZone zone;
        zone.utc_offset_min = static_cast<std::int16_t>(d.utc_offset_minutes);
        zone.dst = dlms::parse_dst_rule(d.dst).value_or(dlms::DstRule::none);
        how.zone = zone;
    }
    // A tz zone replaces the fixed offset and DST rule for local date-times (the loader
    // checked the name).
    if (time_zone != "UTC") how.time_zone = TimeZone::load(time_zone);
    return how;
}

}  // namespace

std::vector<std::string> profile_points(const DlmsProfileConfig& p) {
    std::vector<std::string> points;
    for (const auto& c : p.channels) points.push_back(c.name);
    if (!p.status_point.empty()) points.push_back(p.status_point);
    return points;
}

dlms::ClientOptions to_client_options(const MeterConfig& m, bool on_bus,
                                      const std::map<std::string, std::optional<TimestampUs>>& profile_ends) {
    const DlmsConfig& d = m.dlms;
    dlms::ClientOptions o;
    o.id = m.id;
    o.transport = on_bus ? dlms::TransportKind::hdlc : dlms::TransportKind::tcp_wrapper;
    o.client_sap = static_cast<std::uint16_t>(d.client);
    if (d.authentication == "low") o.password = d.password;
    o.server_wport = static_cast<std::uint16_t>(d.logical_device);
    o.hdlc.logical_device = static_cast<std::uint16_t>(d.logical_device);
    o.hdlc.physical_id = static_cast<std::uint16_t>(d.physical_id);
    o.hdlc.address_octets = static_cast<std::uint8_t>(d.address_size);
    o.hdlc.proposal.max_info_tx = static_cast<std::uint16_t>(d.max_info);
    o.hdlc.proposal.max_info_rx = static_cast<std::uint16_t>(d.max_info);
    o.hdlc.proposal.window_tx = static_cast<std::uint8_t>(d.window);
    o.hdlc.proposal.window_rx = static_cast<std::uint8_t>(d.window);
    o.hdlc.inter_frame_timeout = d.inter_frame_timeout;
    o.hdlc.retries = d.retries;
    o.max_receive_pdu = static_cast<std::uint16_t>(d.max_pdu);
    o.priority = to_line_priority(d.priority);
    o.response_timeout = d.response_timeout;
    o.idle_release = d.idle_release;
    for (const auto& i : m.dlms_identity) {
        dlms::IdentityOptions x;
        x.name = i.name;
        x.obis = obis_of(i.obis);
        x.class_id = static_cast<std::uint16_t>(i.class_id);
        x.expected = i.expect;
        o.identity.push_back(std::move(x));
    }
    o.identity_period = d.identity_period;
    o.identity_blocks = d.identity_blocks;
    for (const auto& r : m.dlms_registers) {
        dlms::RegisterOptions x;
        x.point = r.name;
        x.obis = obis_of(r.obis);
        x.class_id = static_cast<std::uint16_t>(r.class_id);
        x.scale = r.scale;
        x.unit = r.unit;
        o.registers.push_back(std::move(x));
    }
    o.register_period = d.register_period;
    for (const auto& p : m.dlms_profiles) {
        dlms::ProfileOptions x;
        x.name = p.name;
        x.obis = obis_of(p.obis);
        for (const auto& c : p.channels) {
            dlms::ProfileChannel ch;
            ch.obis = obis_of(c.obis);
            ch.attribute = static_cast<std::int8_t>(c.attribute);
            ch.point = c.name;
            ch.unit = c.unit;
            ch.scale = c.scale;
            x.channels.push_back(std::move(ch));
        }
        if (!p.status_obis.empty()) x.status_obis = obis_of(p.status_obis);
        x.status_point = p.status_point;
        x.poll_delay = p.poll_delay;
        x.history = p.history;
        x.max_entries_per_read = p.max_entries_per_read;
        if (const auto it = profile_ends.find(p.name); it != profile_ends.end()) x.last_stored_end_us = it->second;
        o.profiles.push_back(std::move(x));
    }
    o.clock_check_period = d.clock_check_period;
    o.clock_set = d.clock_set;
    o.clock_tolerance = d.clock_tolerance;
    o.clock_guard = d.clock_guard;
    o.time = to_time_interpretation(d, m.clock.time_zone);
    return o;
}

DlmsMeter::DlmsMeter(transport::LineAccess& line, const Clock& clock, const MeterConfig& config, bool on_bus,
                     const std::map<std::string, std::optional<TimestampUs>>& profile_ends, DurableSink& sink,
                     EventSink& events, std::function<void()> on_event, Logger& logger,
                     GatewayTimeQualityFn time_quality)
    : id_(config.id),
      link_(config.bus.empty() ? config.connection : config.bus),
      sink_(sink),
      events_(events),
      on_event_(std::move(on_event)),
      logger_(logger),
      clock_(clock),
      time_quality_(std::move(time_quality)),
      policy_(config.clock) {
    dlms::ClientOptions options = to_client_options(config, on_bus, profile_ends);
    // Every check and set goes through the policy: the session's own clock rules step aside.
    options.clock_check_period = config.clock.check_period;
    options.clock_policy.on_check = [this](const std::optional<dlms::ClockReading>& r) { return on_clock_check(r); };
    options.clock_policy.on_set = [this](const dlms::ClockSetOutcome& o) { on_clock_set(o); };
    session_ = std::make_unique<dlms::ClientSession>(
        line, clock, std::move(options),
        [this](dlms::ReadBatch batch, std::function<void(bool)> done) { on_readings(std::move(batch), std::move(done)); },
        [this](dlms::ClientEvent event) { on_client_event(std::move(event)); }, logger);
}

DlmsMeter::~DlmsMeter() = default;

void DlmsMeter::start() { session_->start(); }
void DlmsMeter::stop(std::function<void()> done) { session_->stop(std::move(done)); }
dlms::ClientStats DlmsMeter::stats() const { return session_->stats(); }
void DlmsMeter::request_profile_read() { session_->request_profile_read(); }
void DlmsMeter::request_clock_check() { session_->request_clock_check(); }
void DlmsMeter::request_clock_set(bool force) {
    if (force) {
        std::lock_guard lock(clock_mutex_);
        policy_.force_next_set();
    }
    session_->request_clock_check();
}

namespace {
std::string iso_or_empty(TimestampUs ts) { return ts == 0 ? std::string() : format_iso8601_utc(ts); }
}  // namespace

nlohmann::json DlmsMeter::status_json() const {
    const auto st = stats();
    nlohmann::json profiles = nlohmann::json::array();
    for (const auto& p : st.profiles)
        profiles.push_back({{"name", p.name},
                            {"capture_period_s", std::chrono::duration_cast<std::chrono::seconds>(p.capture_period).count()},
                            {"last_interval_end", p.last_end_us ? format_iso8601_utc(*p.last_end_us) : std::string()},
                            {"intervals", p.intervals},
                            {"refilled", p.refilled},
                            {"lost", p.lost},
                            {"entries_in_use", p.entries_in_use},
                            {"profile_entries", p.profile_entries}});
    return {{"id", id_},
            {"link", link_},
            {"online", st.online},
            {"associated", st.associated},
            {"associations", st.associations},
            {"association_failures", st.association_failures},
            {"exchanges", st.exchanges},
            {"timeouts", st.timeouts},
            {"blocks", st.blocks},
            {"frame_errors", st.frame_errors},
            {"readings", st.readings},
            {"access_errors", st.access_errors},
            {"time_sets", st.time_sets},
            {"negotiated_pdu", st.negotiated_pdu},
            {"last_offset_ms", st.last_offset_ms ? nlohmann::json(*st.last_offset_ms) : nlohmann::json(nullptr)},
            {"clock", clock_json()},
            {"last_success", iso_or_empty(st.last_success_us)},
            {"last_error", st.last_error},
            {"profiles", profiles}};
}

void DlmsMeter::on_readings(dlms::ReadBatch batch, std::function<void(bool)> done) {
    if (batch.durable) {
        // The read pointer moves only once the chunk is fsynced (design.md, durability).
        sink_.submit_durable(std::move(batch.readings), std::move(done));
        return;
    }
    // Registers and identity: ordinary group commit; nothing in the meter waits on them.
    sink_.submit(std::move(batch.readings));
    done(true);
}

void DlmsMeter::on_client_event(dlms::ClientEvent event) {
    nlohmann::json detail = nlohmann::json::parse(event.detail_json.empty() ? "{}" : event.detail_json, nullptr, false);
    if (!detail.is_object()) detail = nlohmann::json{{"text", event.detail_json}};
    detail["meter"] = event.meter;
    const bool notable = event.kind != "dlms_time_checked";
    logger_.log(notable ? LogLevel::info : LogLevel::debug, "dlms", id_ + ": " + event.kind + " " + detail.dump());
    try {
        events_.record_event(event.kind, detail.dump());
        if (on_event_) on_event_();
    } catch (const std::exception& e) {
        logger_.error("dlms", id_ + ": could not record event " + event.kind + ": " + e.what());
    }
}

// ------------------------------------------------------------------ the clock policy

namespace {

meterclock::GatewayTimeQuality quality_of(const GatewayTimeQualityFn& fn) {
    return fn ? fn() : meterclock::GatewayTimeQuality::unsynced;
}

nlohmann::json ms_or_null(const std::optional<Duration>& d) {
    if (!d) return nullptr;
    return static_cast<double>(d->count()) / 1000.0;
}

nlohmann::json iso_or_null(const std::optional<TimestampUs>& t) {
    return t ? nlohmann::json(format_iso8601_utc(*t)) : nlohmann::json(nullptr);
}

}  // namespace

void DlmsMeter::record(std::string_view kind, const std::string& detail_json) {
    logger_.info("dlms", id_ + ": " + std::string(kind) + " " + detail_json);
    try {
        events_.record_event(kind, detail_json);
        if (on_event_) on_event_();
    } catch (const std::exception& e) {
        logger_.error("dlms", id_ + ": could not record event " + std::string(kind) + ": " + e.what());
    }
}

std::optional<TimestampUs> DlmsMeter::next_check_after_failure(TimestampUs now) const {
    // A read that gave no time is not a check for the policy: try again a period on.
    const auto next = policy_.next_check(now);
    if (next && *next > now) return next;
    const Duration period = policy_.config().check_period;
    return period.count() > 0 ? std::optional<TimestampUs>(now + period.count()) : std::nullopt;
}

dlms::ClockCheckAnswer DlmsMeter::on_clock_check(const std::optional<dlms::ClockReading>& reading) {
    std::lock_guard lock(clock_mutex_);
    const TimestampUs now = clock_.now_utc_us();
    const auto quality = quality_of(time_quality_);
    const auto measured = reading ? meterclock::measure_offset(reading->sent_us, reading->meter_us,
                                                                reading->received_us, reading->resolution)
                                  : std::nullopt;
    if (!measured) {
        // No usable time, or the gateway's clock stepped back during the exchange.
        meterclock::ClockAuditRecord r;
        r.meter = id_;
        r.protocol = meterclock::ClockProtocol::dlms;
        r.tolerance = policy_.config().tolerance;
        r.gateway_time_quality = quality;
        r.result = "failed";
        record(meterclock::audit_kind::time_check, meterclock::audit_detail(meterclock::audit_kind::time_check, r));
        return {false, next_check_after_failure(now)};
    }
    meterclock::ClockCheck check;
    check.at = reading->received_us;
    check.offset = measured->offset;
    check.uncertainty = measured->uncertainty;
    check.gateway_quality = quality;
    check.protocol = meterclock::ClockProtocol::dlms;
    check.utc_offset = reading->utc_offset;  // the meter's intervals end on its local clock
    const meterclock::ClockDecision decision = policy_.decide(check);
    last_check_record_ = meterclock::audit_record(id_, check, decision, policy_.config());
    for (const auto kind : meterclock::audit_kinds(decision))
        record(kind, meterclock::audit_detail(kind, last_check_record_));
    return {decision.action == meterclock::ClockAction::set, policy_.next_check(now)};
}

void DlmsMeter::on_clock_set(const dlms::ClockSetOutcome& outcome) {
    std::lock_guard lock(clock_mutex_);
    const bool ok = outcome.result == "ok";
    std::optional<Duration> after;
    if (outcome.after)
        if (const auto m = meterclock::measure_offset(outcome.after->sent_us, outcome.after->meter_us,
                                                      outcome.after->received_us, outcome.after->resolution))
            after = m->offset;
    policy_.on_set(ok, after, outcome.at_us);
    last_set_attempt_at_ = outcome.at_us;
    last_set_result_ = outcome.result;
    meterclock::ClockAuditRecord r = last_check_record_;
    r.offset_after = after;
    r.result = outcome.result;
    record(meterclock::audit_kind::time_set, meterclock::audit_detail(meterclock::audit_kind::time_set, r));
    if (!ok) logger_.warn("dlms", id_ + ": clock set " + outcome.result + ": " + outcome.detail);
}

meterclock::MeterClockState DlmsMeter::clock_state() const {
    std::lock_guard lock(clock_mutex_);
    return policy_.state();
}

nlohmann::json DlmsMeter::clock_json() const {
    std::lock_guard lock(clock_mutex_);
    const meterclock::MeterClockState st = policy_.state();
    nlohmann::json j;
    j["time_zone"] = policy_.config().time_zone;
    j["set_allowed"] = policy_.config().set;
    j["last_check_at"] = iso_or_null(st.last_check ? std::optional<TimestampUs>(st.last_check->at) : std::nullopt);
    j["last_offset_ms"] = ms_or_null(st.last_check ? std::optional<Duration>(st.last_check->offset) : std::nullopt);
    j["last_uncertainty_ms"] =
        ms_or_null(st.last_check ? std::optional<Duration>(st.last_check->uncertainty) : std::nullopt);
    j["last_set_at"] = iso_or_null(last_set_attempt_at_);
    j["last_set_result"] = last_set_result_.empty() ? nlohmann::json(nullptr) : nlohmann::json(last_set_result_);
    j["last_good_set_at"] = iso_or_null(st.last_set_at);
    j["offset_after_set_ms"] = ms_or_null(st.offset_after_set);
    j["drift_streak"] = st.drift_streak;
    j["force_pending"] = st.force_pending;
    j["next_check"] = iso_or_null(policy_.next_check(clock_.now_utc_us()));
    return j;
}

}  // namespace gridgate::gateway
