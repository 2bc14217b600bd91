// The clock object (IC8, 0.0.1.0.0.255, meter-dlms.md §6.6) and the meter's date-times.
#include <cstdlib>

#include "dlms_server_impl.hpp"

namespace gridgate::sim {

namespace {

using dlms::CosemDateTime;
using dlms::Data;
using Mode = DlmsServerOptions::DeviationMode;

constexpr std::uint8_t last_day_of_month = 0xFE;
constexpr std::uint8_t sunday = 7;
constexpr std::uint8_t clock_base_crystal = 1;

dlms::DeviationSign sign_of(Mode mode) {
    return mode == Mode::iso ? dlms::DeviationSign::iso : dlms::DeviationSign::blue_book;
}

Data as_octets(const CosemDateTime& t) {
    const auto octets = dlms::encode_date_time(t);
    return Data::octet_string({octets.begin(), octets.end()});
}

// A recurring DST change: month, day (with day of week: that weekday on or after the
// day; 0xFE: the last one of the month), at a local wall-clock minute of the day.
CosemDateTime recurring(std::uint8_t month, std::uint8_t day, int local_minute) {
    CosemDateTime t;
    t.month = month;
    t.day = day;
    t.day_of_week = sunday;
    const int m = ((local_minute % 1440) + 1440) % 1440;
    t.hour = static_cast<std::uint8_t>(m / 60);
    t.minute = static_cast<std::uint8_t>(m % 60);
    t.second = 0;
    t.hundredths = 0;
    return t;
}

// Attributes 5 and 6: when DST begins and ends, in local time (standard time at the
// beginning, summer time at the end), for the zone's rule. No rule: nothing specified.
CosemDateTime dst_change(const dlms::LocalZone& zone, bool begin) {
    switch (zone.dst) {
        case dlms::DstRule::eu:
            // 01:00 UTC on the last Sunday of March / October.
            return begin ? recurring(3, last_day_of_month, 60 + zone.utc_offset_min)
                         : recurring(10, last_day_of_month, 60 + zone.utc_offset_min + zone.dst_shift_min);
        case dlms::DstRule::us:
            // 02:00 local on the second Sunday of March / the first Sunday of November.
            return begin ? recurring(3, 8, 120) : recurring(11, 1, 120);
        case dlms::DstRule::none: break;
    }
    return CosemDateTime{};
}

}  // namespace

namespace dlms_server {

CosemDateTime meter_date_time(TimestampUs meter_utc_us, const DlmsServerOptions& options) {
    CosemDateTime t = dlms::from_utc_us(meter_utc_us, options.zone, sign_of(options.deviation));
    if (options.deviation == Mode::unspecified) t.deviation = CosemDateTime::deviation_not_specified;
    return t;
}

dlms::TimeInterpretation meter_time_interpretation(const DlmsServerOptions& options) {
    dlms::TimeInterpretation how;
    how.sign = sign_of(options.deviation);
    how.zone = options.zone;
    return how;
}

}  // namespace dlms_server

Data DlmsServer::Impl::clock_attribute(std::int8_t attribute, TimestampUs now_us) const {
    const TimestampUs meter_us = clock.read_us(now_us);
    switch (attribute) {
        case 2: return as_octets(dlms_server::meter_date_time(meter_us, options));
        case 3: {
            // The deviation of local standard time, in the sign the meter's date-times use.
            const int minutes = options.deviation == Mode::iso ? options.zone.utc_offset_min : -options.zone.utc_offset_min;
            return Data::long16(static_cast<std::int16_t>(minutes));
        }
        case 4:
            return Data::unsigned8(options.zone.dst_active_at(meter_us) ? dlms::clock_status::daylight_saving_active : 0);
        case 5: return as_octets(dst_change(options.zone, true));
        case 6: return as_octets(dst_change(options.zone, false));
        case 7: return Data::integer8(static_cast<std::int8_t>(options.zone.dst_shift_min));
        case 8: return Data::boolean(options.zone.dst != dlms::DstRule::none);
        case 9: return Data::enumeration(clock_base_crystal);
        default: return Data::null();
    }
}

dlms::AccessResult DlmsServer::Impl::set_clock_from(const Data& value, TimestampUs now_us) {
    const bool octets = (value.tag == dlms::DataTag::octet_string || value.tag == dlms::DataTag::date_time) &&
                        value.bytes.size() == 12;
    if (!octets) return dlms::AccessResult::type_unmatched;
    const auto t = dlms::decode_date_time(value.bytes);
    if (!t) return dlms::AccessResult::type_unmatched;
    // A date-time with fields left unspecified names no instant.
    const auto utc = dlms::to_utc_us(*t, dlms_server::meter_time_interpretation(options));
    if (!utc) return dlms::AccessResult::other_reason;
    protocol_time_set(*utc, now_us);
    return dlms::AccessResult::success;
}

}  // namespace gridgate::sim
