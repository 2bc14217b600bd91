#include "dnp3_meter.hpp"


namespace gridgate::gateway {

namespace {

transport::LinePriority to_line_priority(const std::string& p) {
    if (p == "high") return transport::LinePriority::high;
    if (p == "low") return transport::LinePriority::low;
    return transport::LinePriority::normal;
}

dnp3::PointType to_type(const std::string& t) {
    return dnp3::parse_point_type(t).value_or(dnp3::PointType::counter);
}

// The configuration's read types are the static object groups.
std::uint8_t group_of(const std::string& type) {
    if (type == "binary_input") return 1;
    if (type == "binary_output") return 10;
    if (type == "counter") return 20;
    if (type == "frozen_counter") return 21;
    return 30;  // analog_input
}

// As gridgatectl status always showed them: "" for never.
std::string iso_or_empty(TimestampUs ts) { return ts == 0 ? std::string() : format_iso8601_utc(ts); }

}  // namespace

dnp3::SessionOptions to_session_options(const MeterConfig& m, bool on_bus) {
    const Dnp3Config& d = m.dnp3;
    dnp3::SessionOptions o;
    o.id = m.id;
    o.address = d.address;
    o.master_address = d.master_address;
    o.priority = to_line_priority(d.priority);
    o.confirmed_user_data = d.confirmed_link;
    o.link_retries = d.link_retries;
    o.link_timeout = d.link_timeout;
    o.response_timeout = d.response_timeout;
    o.integrity_period = d.integrity_period;
    o.class0_period = d.class0_period;
    o.class1_period = d.class1_period;
    o.class2_period = d.class2_period;
    o.class3_period = d.class3_period;
    for (const auto& r : m.dnp3_reads) {
        dnp3::ReadTask t;
        t.name = r.name;
        t.period = r.period;
        dnp3::ReadItem item;
        item.group = group_of(r.type);
        item.variation = static_cast<std::uint8_t>(r.variation);
        const bool wide = r.stop > 255;
        item.qualifier = wide ? dnp3::Qualifier::start_stop_16 : dnp3::Qualifier::start_stop_8;
        item.start = r.start;
        item.stop = r.stop;
        t.items.push_back(item);
        o.reads.push_back(std::move(t));
    }
    if (d.time_sync == "none")
        o.time_sync = dnp3::TimeSyncMode::none;
    else if (d.time_sync == "lan")
        o.time_sync = dnp3::TimeSyncMode::lan;
    else if (d.time_sync == "non_lan")
        o.time_sync = dnp3::TimeSyncMode::non_lan;
    else
        o.time_sync = on_bus ? dnp3::TimeSyncMode::non_lan : dnp3::TimeSyncMode::lan;
    // The policy decides every set; time_tolerance only matters without a decider.
    o.time_check_period = m.clock.check_period;
    o.time_tolerance = m.clock.tolerance;
    o.sync_on_need_time = d.sync_on_need_time;
    // An outstation that keeps asking while the policy leaves its clock alone is checked
    // again on the policy's period (or every 15 minutes when it only checks on request).
    if (m.clock.check_period > Duration::zero()) o.need_time_recheck = m.clock.check_period;
    o.meter_time_zone = meter_time_zone(m.clock);
    return o;
}

dnp3::PointMap to_point_map(const MeterConfig& m) {
    std::vector<dnp3::PointMapping> points;
    for (const auto& p : m.dnp3_points) {
        dnp3::PointMapping x;
        x.name = p.name;
        x.type = to_type(p.type);
        x.index = p.index;
        x.scale = p.scale;
        x.offset = p.offset;
        x.unit = p.unit;
        x.rollover = dnp3::parse_rollover(p.rollover).value_or(dnp3::Rollover::none);
        points.push_back(std::move(x));
    }
    return dnp3::PointMap(m.id, std::move(points));
}

Dnp3Meter::Dnp3Meter(transport::LineAccess& line, const Clock& clock, const MeterConfig& config, bool on_bus,
                     DurableSink& sink, EventSink& events, std::function<void()> on_event, SharedDedup& dedup,
                     Logger& logger, GatewayTimeQualityFn time_quality)
    : id_(config.id),
      link_(config.bus.empty() ? config.connection : config.bus),
      sink_(sink),
      events_(events),
      on_event_(std::move(on_event)),
      dedup_(dedup),
      logger_(logger),
      map_(to_point_map(config)),
      clock_(clock),
      time_quality_(std::move(time_quality)),
      zone_(meter_time_zone(config.clock)),
      policy_(config.clock) {
    dnp3::SessionOptions options = to_session_options(config, on_bus);
    map_.set_time_zone(zone_);  // event times come from the same clock as g50
    options.clock_decider = [this](const dnp3::ClockMeasurement& m) { return decide_clock(m); };
    options.on_time_set = [this](const dnp3::TimeSetResult& r) { on_time_set(r); };
    session_ = std::make_unique<dnp3::MasterSession>(
        line, clock, std::move(options),
        [this](dnp3::DataBatch batch, std::function<void(bool)> done) { on_data(std::move(batch), std::move(done)); },
        [this](dnp3::SessionEvent event) { on_session_event(std::move(event)); }, logger);
}

Dnp3Meter::~Dnp3Meter() = default;

void Dnp3Meter::start() { session_->start(); }
void Dnp3Meter::stop(std::function<void()> done) { session_->stop(std::move(done)); }
dnp3::SessionStats Dnp3Meter::stats() const { return session_->stats(); }
std::uint64_t Dnp3Meter::duplicates_dropped() const { return duplicates_.load(); }
std::uint64_t Dnp3Meter::unmapped() const { return unmapped_.load(); }

void Dnp3Meter::on_data(dnp3::DataBatch batch, std::function<void(bool)> done) {
    // Readings taken while the meter's event buffer had overflowed carry the flag: events
    // before them were lost in the meter.
    const std::uint32_t extra =
        batch.iin.has(dnp3::Iin::event_buffer_overflow) ? quality::events_lost : quality::good;
    std::vector<bool> meter_time;
    std::vector<Reading> readings = map_.map(batch.points, batch.received_us, extra, meter_time);
    unmapped_.store(map_.unmapped());
    std::size_t dropped = 0;
    {
        std::lock_guard lock(dedup_.mutex);
        dropped = dedup_.dedup.filter(readings, meter_time);
    }
    if (dropped > 0) {
        duplicates_ += dropped;
        logger_.info("dnp3", id_ + ": " + std::to_string(dropped) +
                                 " reading(s) the outstation sent again were already stored; not stored twice");
    }
    // Always the durable path: the session confirms only after done(true), and a fragment
    // without CON costs one early commit, which DNP3's poll rates can afford.
    // Only meter-timestamped readings can be resent duplicates; keep just those to remember.
    auto remembered = std::make_shared<std::pair<std::vector<Reading>, std::vector<bool>>>();
    for (std::size_t i = 0; i < readings.size(); ++i)
        if (meter_time[i]) remembered->first.push_back(readings[i]);
    remembered->second.assign(remembered->first.size(), true);
    // The commit may complete after this meter is gone (at shutdown): the dedup is the
    // gateway's and outlives it; `done` keeps the session's state alive itself.
    sink_.submit_durable(std::move(readings), [dedup = &dedup_, remembered, done = std::move(done)](bool stored) {
        if (stored) {
            std::lock_guard lock(dedup->mutex);
            dedup->dedup.remember(remembered->first, remembered->second);
        }
        done(stored);
    });
}

void Dnp3Meter::record(std::string_view kind, const std::string& detail_json) {
    try {
        events_.record_event(kind, detail_json);
        if (on_event_) on_event_();
    } catch (const std::exception& e) {
        logger_.error("dnp3", id_ + ": could not record event " + std::string(kind) + ": " + e.what());
    }
}

void Dnp3Meter::on_session_event(dnp3::SessionEvent event) {
    nlohmann::json detail = nlohmann::json::parse(event.detail_json.empty() ? "{}" : event.detail_json, nullptr, false);
    if (!detail.is_object()) detail = nlohmann::json{{"text", event.detail_json}};
    detail["meter"] = event.outstation;
    const bool notable = event.kind != "dnp3_time_checked";
    logger_.log(notable ? LogLevel::info : LogLevel::debug, "dnp3", id_ + ": " + event.kind + " " + detail.dump());
    try {
        events_.record_event(event.kind, detail.dump());
        if (on_event_) on_event_();
    } catch (const std::exception& e) {
        logger_.error("dnp3", id_ + ": could not record event " + event.kind + ": " + e.what());
    }
}

nlohmann::json Dnp3Meter::status_json() const {
    const auto st = stats();
    return {{"id", id_},
            {"link", link_},
            {"online", st.online},
            {"transactions", st.transactions},
            {"fragments", st.fragments},
            {"timeouts", st.timeouts},
            {"points", st.points},
            {"events", st.events},
            {"confirms_sent", st.confirms_sent},
            {"confirms_withheld", st.confirms_withheld},
            {"duplicates_dropped", duplicates_dropped()},
            {"unmapped_points", unmapped()},
            {"restarts_seen", st.restarts_seen},
            {"overflows_seen", st.overflows_seen},
            {"time_sets", st.time_sets},
            {"last_offset_ms", st.last_offset_ms ? nlohmann::json(*st.last_offset_ms) : nlohmann::json(nullptr)},
            {"last_offset_at", iso_or_empty(st.last_offset_at_us)},
            {"last_time_set", iso_or_empty(st.last_time_set_us)},
            {"last_success", iso_or_empty(st.last_success_us)},
            {"link_crc_errors", st.link_crc_errors},
            {"parse_errors", st.parse_errors},
            {"last_iin", st.last_iin},
            {"last_error", st.last_error},
            {"clock", clock_status()}};
}

}  // namespace gridgate::gateway
