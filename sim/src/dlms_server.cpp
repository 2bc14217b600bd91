#include "gridgate/sim/dlms_server.hpp"

#include <algorithm>
#include <cmath>

#include "dlms_server_impl.hpp"
#include "gridgate/dlms/profile.hpp"
#include "json_text.hpp"

namespace gridgate::sim {

namespace {

// The energy registers start from a plausible reading drawn from the seed, well inside
// the x1000 range of a double-long-unsigned (4 294 967.295 Wh).
dlms_server::EnergySums starting_energy(std::uint64_t seed) {
    std::uint64_t state = mix_seed(seed ^ 0xD1A5ull);
    auto draw = [&state](double lo, double hi) {
        state = mix_seed(state);
        return lo + (hi - lo) * static_cast<double>(state >> 11) * 0x1.0p-53;
    };
    dlms_server::EnergySums e;
    for (std::size_t i = 0; i < 3; ++i) {
        e.wh_del[i] = std::floor(draw(2.0e4, 8.0e5));
        e.wh_rec[i] = std::floor(draw(0.0, 2.0e3));
    }
    e.wh_del[3] = e.wh_del[0] + e.wh_del[1] + e.wh_del[2];
    e.wh_rec[3] = e.wh_rec[0] + e.wh_rec[1] + e.wh_rec[2];
    return e;
}

DlmsServerOptions normalised(DlmsServerOptions o) {
    if (o.meter_id.empty()) o.meter_id = o.id;
    // A capture period under a second or a buffer of no entries is not a meter; keep the
    // recorder well defined rather than refuse (the options are validated upstream).
    if (o.capture_period < std::chrono::seconds(1)) o.capture_period = std::chrono::seconds(1);
    if (o.profile_entries == 0) o.profile_entries = 1;
    return o;
}

}  // namespace

DlmsServer::Impl::Impl(DlmsServerOptions opts, TimestampUs start_utc_us)
    : options(normalised(std::move(opts))),
      load(LoadParams::from_seed(options.seed)),
      clock(start_utc_us, options.clock_offset, options.clock_drift_ppm),
      objects(options),
      profile(options.capture_period, options.zone, options.profile_entries),
      energy(starting_energy(options.seed), clock.read_us(start_utc_us)) {
    const TimestampUs start_meter = clock.read_us(start_utc_us);
    profile.fill(start_meter - options.history.count(), start_meter, load, outages);
}

bool DlmsServer::Impl::powered(TimestampUs now_us) const {
    return std::none_of(unpowered.begin(), unpowered.end(),
                        [now_us](const SystemSpan& s) { return s.from_us <= now_us && now_us < s.to_us; });
}

void DlmsServer::Impl::advance(TimestampUs now_us) { profile.record_until(clock.read_us(now_us), load, outages); }

void DlmsServer::Impl::set_time(TimestampUs meter_us, TimestampUs now_us) {
    advance(now_us);  // what was due on the old clock is recorded first
    energy.clock_stepped(load, clock.read_us(now_us), meter_us, outages);
    clock.set(now_us, meter_us);
    // Forward: the intervals ending in the jumped-over span are never recorded. Backward:
    // recording resumes after the last recorded end, so no end repeats.
    profile.skip_to(meter_us);
    profile.add_status(dlms::interval_status::time_set);
}

void DlmsServer::Impl::protocol_time_set(TimestampUs meter_us, TimestampUs now_us) {
    const TimestampUs before = clock.read_us(now_us);
    set_time(meter_us, now_us);
    ++stats.time_sets;
    std::string detail = meter_json_prefix();
    detail += ",\"step_ms\":";
    json::append_number(detail, (meter_us - before) / 1000);
    detail += '}';
    emit("dlms_time_set", detail);
}

std::string DlmsServer::Impl::meter_json_prefix() const {
    std::string s = "{\"meter\":";
    json::append_string(s, options.id);
    return s;
}

void DlmsServer::Impl::emit(const char* kind, const std::string& detail_json) const {
    if (hook) hook(kind, detail_json);
}

DlmsServer::DlmsServer(DlmsServerOptions options, TimestampUs start_utc_us)
    : impl_(std::make_unique<Impl>(std::move(options), start_utc_us)) {}

DlmsServer::~DlmsServer() = default;

const DlmsServerOptions& DlmsServer::options() const { return impl_->options; }

std::vector<std::uint8_t> DlmsServer::handle_apdu(DlmsAssociation& association, std::uint16_t client_sap,
                                                  std::span<const std::uint8_t> apdu, TimestampUs now_utc_us) {
    Impl& m = *impl_;
    ++m.stats.requests;
    m.advance(now_utc_us);
    if (!m.powered(now_utc_us)) {
        // An unpowered meter hears nothing, and forgets its associations.
        end_association(association);
        return {};
    }
    if (apdu.empty()) {
        ++m.stats.bad_apdus;
        return {};
    }
    Impl::Request r{association, client_sap, now_utc_us};
    switch (apdu[0]) {
        case static_cast<std::uint8_t>(dlms::ApduTag::aarq): return m.on_aarq(r, apdu);
        case static_cast<std::uint8_t>(dlms::ApduTag::rlrq): return m.on_rlrq(r);
        default: break;
    }
    if (!association.associated || association.client_sap != client_sap) {
        // Nothing but an AARQ is served outside an association.
        return dlms::encode_exception_response({.state_error = 1, .service_error = 1});
    }
    switch (apdu[0]) {
        case static_cast<std::uint8_t>(dlms::ApduTag::get_request): return m.on_get(r, apdu);
        case static_cast<std::uint8_t>(dlms::ApduTag::set_request): return m.on_set(r, apdu);
        default: break;
    }
    // ACTION, SN services, ciphered APDUs...: the meter has none of them.
    ++m.stats.bad_apdus;
    return dlms::encode_exception_response({.state_error = 2, .service_error = 2});
}

void DlmsServer::end_association(DlmsAssociation& association) { association = DlmsAssociation{}; }

void DlmsServer::advance_to(TimestampUs now_utc_us) { impl_->advance(now_utc_us); }

TimestampUs DlmsServer::meter_time(TimestampUs now_utc_us) const { return impl_->clock.read_us(now_utc_us); }

void DlmsServer::set_meter_time(TimestampUs meter_utc_us, TimestampUs now_utc_us) {
    impl_->protocol_time_set(meter_utc_us, now_utc_us);
}

void DlmsServer::shift_clock(Duration by, TimestampUs now_utc_us) {
    // An operator's step of the meter clock (control socket): recorded in the profile as
    // a time set, but not a protocol time set (no event, not counted).
    impl_->set_time(impl_->clock.read_us(now_utc_us) + by.count(), now_utc_us);
}

void DlmsServer::add_next_status(std::uint32_t status_bits) { impl_->profile.add_status(status_bits); }

void DlmsServer::power_outage(Duration length, TimestampUs now_utc_us) {
    Impl& m = *impl_;
    if (length.count() <= 0) return;
    m.advance(now_utc_us);
    const TimestampUs end_us = now_utc_us + length.count();
    m.unpowered.push_back({now_utc_us, end_us});
    m.outages.push_back({m.clock.read_us(now_utc_us), m.clock.read_us(end_us)});
}

std::vector<DlmsServer::ProfileRow> DlmsServer::profile(std::optional<TimestampUs> from_us,
                                                        std::optional<TimestampUs> to_us) const {
    std::vector<ProfileRow> out;
    for (const ProfileRow& row : impl_->profile.rows())
        if ((!from_us || row.end_us >= *from_us) && (!to_us || row.end_us <= *to_us)) out.push_back(row);
    return out;
}

std::vector<dlms::Obis> DlmsServer::profile_channels() const { return dlms_server::profile_channel_obis(); }

DlmsServerStats DlmsServer::stats() const { return impl_->stats; }

void DlmsServer::set_event_hook(std::function<void(const std::string&, const std::string&)> hook) {
    impl_->hook = std::move(hook);
}

}  // namespace gridgate::sim
