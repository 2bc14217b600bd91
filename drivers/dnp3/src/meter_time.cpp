#include "gridgate/dnp3/meter_time.hpp"

namespace gridgate::dnp3 {

namespace {

std::int64_t distance(TimestampUs a, TimestampUs b) { return a > b ? a - b : b - a; }

}  // namespace

TimestampUs meter_time_to_utc(DnpTime time, const std::optional<TimeZone>& zone, TimestampUs near_utc_us) {
    const auto ms = static_cast<std::int64_t>(time);
    if (!zone) return ms * 1000;
    LocalTime local;
    local.seconds = ms / 1000;  // DNP3 time is unsigned: no negative rounding to care about
    local.micros = static_cast<std::int32_t>((ms % 1000) * 1000);
    const LocalResolution r = zone->resolve(local);
    return distance(r.earlier_us, near_utc_us) <= distance(r.later_us, near_utc_us) ? r.earlier_us : r.later_us;
}

DnpTime utc_to_meter_time(TimestampUs utc_us, const std::optional<TimeZone>& zone) {
    if (!zone) return static_cast<DnpTime>(utc_us / 1000);
    const LocalTime local = zone->to_local(utc_us);
    return static_cast<DnpTime>(local.seconds * 1000 + local.micros / 1000);
}

}  // namespace gridgate::dnp3
