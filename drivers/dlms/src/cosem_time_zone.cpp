// COSEM date-times of meters that keep local time in a tz database zone (TimeZone), and
// the small facts of a date-time the clock and profile code ask about.
#include "gridgate/dlms/cosem_time.hpp"

namespace gridgate::dlms {

bool reads_as_local(const CosemDateTime& t, const TimeInterpretation& how) {
    return !t.has_deviation() || how.ignore_deviation;
}

LocalTime local_time_of(const CosemDateTime& t) {
    const std::int32_t micros = t.hundredths == 0xFF ? 0 : t.hundredths * 10'000;
    return LocalTime::from_civil(t.year, t.month, t.day, t.hour, t.minute, t.second, micros);
}

std::optional<bool> dst_hint_of(const CosemDateTime& t) {
    if (!t.has_status()) return std::nullopt;
    return t.dst();
}

Duration resolution_of(const CosemDateTime& t) {
    // The meter truncates to what it sends: hundredths, or whole seconds when it leaves
    // them out (the reference meter's simulator sends hundredths).
    if (t.hundredths == 0xFF) return std::chrono::seconds(1);
    return std::chrono::milliseconds(10);
}

CosemDateTime from_utc_us(TimestampUs utc_us, const TimeZone& zone, DeviationSign sign) {
    const ZoneOffset offset = zone.at(utc_us);
    // The offset in force as a fixed zone: its fields and deviation are those of the
    // instant; only the DST bit comes from the zone itself.
    LocalZone fixed;
    fixed.utc_offset_min = static_cast<std::int16_t>(offset.utc_offset_s / 60);
    CosemDateTime t = from_utc_us(utc_us, fixed, sign);
    t.status = offset.dst ? clock_status::daylight_saving_active : std::uint8_t{0x00};
    return t;
}

}  // namespace gridgate::dlms
