#include "dlms_server_profile.hpp"

#include <algorithm>

#include "gridgate/dlms/profile.hpp"

namespace gridgate::sim::dlms_server {

namespace {

constexpr std::int64_t us_per_minute = 60'000'000;
constexpr std::int64_t us_per_day = 86'400'000'000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// The status-word channels as the manual's example shows them: no trigger bit set, the
// system word 0x0100 (256).
constexpr double trigger_status_word = 0.0;
constexpr double system_status_word = 256.0;

double as_float32(double v) { return static_cast<double>(static_cast<float>(v)); }

}  // namespace

std::vector<dlms::Obis> profile_channel_obis() {
    return {
        dlms::Obis{{1, 0, 1, 29, 0, 255}},    // Wh delivered, polyphase
        dlms::Obis{{1, 0, 2, 29, 0, 255}},    // Wh received, polyphase
        dlms::Obis{{1, 0, 3, 29, 0, 255}},    // varh delivered, polyphase
        dlms::Obis{{1, 0, 4, 29, 0, 255}},    // varh received, polyphase
        dlms::Obis{{1, 0, 191, 27, 0, 255}},  // status word, trigger bits
        dlms::Obis{{1, 0, 192, 27, 0, 255}},  // status word, system bits
    };
}

ProfileRecorder::ProfileRecorder(Duration period, const dlms::LocalZone& zone, std::uint32_t capacity)
    : period_us_(period.count()), period_(period), zone_(zone), capacity_(capacity) {}

std::int64_t ProfileRecorder::offset_us(TimestampUs utc_us) const {
    return static_cast<std::int64_t>(zone_.offset_at(utc_us)) * us_per_minute;
}

TimestampUs ProfileRecorder::next_end(TimestampUs after_us) const {
    const std::int64_t off = offset_us(after_us);
    const TimestampUs candidate = (floor_div(after_us + off, period_us_) + 1) * period_us_ - off;
    if (offset_us(candidate) == off) return candidate;
    // The offset changes in (after, candidate]: find the instant of the change. The
    // candidate is still right when it is that instant (its local time in the old offset
    // is a boundary: 03:00 summer time = 02:00 winter time); otherwise the end is the
    // first boundary of the new offset from the change on (e.g. local midnight for a
    // daily period).
    TimestampUs lo = after_us;
    TimestampUs hi = candidate;
    while (hi - lo > 1) {
        const TimestampUs mid = lo + (hi - lo) / 2;
        if (offset_us(mid) == off)
            lo = mid;
        else
            hi = mid;
    }
    if (candidate == hi) return candidate;
    const std::int64_t new_off = offset_us(hi);
    return -floor_div(-(hi + new_off), period_us_) * period_us_ - new_off;
}

// A boundary computed with the offset at `utc_us` alone: exact away from a DST change,
// possibly not a real boundary within one period of it. Only used as a starting point
// well before the instant of interest; next_end() then walks real boundaries.
TimestampUs ProfileRecorder::boundary_at_or_before(TimestampUs utc_us) const {
    const std::int64_t off = offset_us(utc_us);
    return floor_div(utc_us + off, period_us_) * period_us_ - off;
}

void ProfileRecorder::fill(TimestampUs from_us, TimestampUs to_us, const LoadModel& load,
                           const std::vector<Outage>& outages) {
    const std::int64_t margin = std::max(2 * period_us_, 2 * us_per_day);
    last_end_ = boundary_at_or_before(from_us - margin);
    skip_to(from_us);
    record_until(to_us, load, outages);
}

void ProfileRecorder::skip_to(TimestampUs meter_us) {
    if (meter_us <= last_end_) return;
    // A long jump is not walked period by period from the old position.
    const std::int64_t margin = std::max(2 * period_us_, 2 * us_per_day);
    if (meter_us - last_end_ > 2 * margin) last_end_ = boundary_at_or_before(meter_us - margin);
    for (TimestampUs n = next_end(last_end_); n <= meter_us; n = next_end(n)) last_end_ = n;
}

void ProfileRecorder::record_until(TimestampUs meter_us, const LoadModel& load, const std::vector<Outage>& outages) {
    for (TimestampUs n = next_end(last_end_); n <= meter_us; n = next_end(last_end_)) record(n, load, outages);
}

void ProfileRecorder::record(TimestampUs end_us, const LoadModel& load, const std::vector<Outage>& outages) {
    const TimestampUs start_us = last_end_;
    last_end_ = end_us;
    bool ends_unpowered = false;
    bool touched = false;
    for (const Outage& o : outages) {
        if (o.from_us < end_us && end_us < o.to_us) ends_unpowered = true;
        if (o.from_us < end_us && o.to_us > start_us) touched = true;
    }
    if (ends_unpowered) {
        // The meter was off at this boundary: no entry; the next one says so.
        pending_status_ |= dlms::interval_status::power_outage;
        return;
    }
    std::uint32_t status = pending_status_;
    pending_status_ = 0;
    if (touched) status |= dlms::interval_status::power_outage;
    if (floor_div(end_us + offset_us(end_us), us_per_day) * us_per_day == end_us + offset_us(end_us))
        status |= dlms::interval_status::midnight;
    if (offset_us(start_us) != offset_us(end_us)) status |= dlms::interval_status::dst_change;

    const EnergySums e = integrate_energy(load, start_us, end_us, outages);
    ProfileRow row;
    row.end_us = end_us;
    row.status = status;
    row.values = {as_float32(e.wh_del[3]),   as_float32(e.wh_rec[3]),   as_float32(e.varh_del[3]),
                  as_float32(e.varh_rec[3]), as_float32(trigger_status_word), as_float32(system_status_word)};
    rows_.push_back(std::move(row));
    while (rows_.size() > capacity_) rows_.pop_front();
}

}  // namespace gridgate::sim::dlms_server
