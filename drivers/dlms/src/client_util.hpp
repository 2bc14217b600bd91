#pragma once
// Small pure helpers of the DLMS client: the password's place in an AARQ (for masked
// traces), unit names, date-times the meter's way, capture-boundary arithmetic, JSON text.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "client_link.hpp"
#include "gridgate/core/json_text.hpp"
#include "gridgate/core/time.hpp"
#include "gridgate/dlms/axdr.hpp"
#include "gridgate/dlms/cosem_time.hpp"

namespace gridgate::dlms::detail {

// The octets of the calling-authentication-value (the LLS password) in an encoded AARQ;
// empty when `apdu` is not an AARQ or carries none. Walks the BER structure: it never
// looks for the password's text, so a password that also appears elsewhere is no matter.
TraceMask aarq_password_mask(std::span<const std::uint8_t> apdu);
// A copy of `bytes` with the mask's octets replaced by '*' (0x2A).
std::vector<std::uint8_t> masked(std::span<const std::uint8_t> bytes, TraceMask mask);

// The DLMS unit enumeration (Blue Book, class 3 scaler_unit): 27 -> "W", 30 -> "Wh",
// 8 -> "°", 255 -> "" (a count), unknown -> "unit<code>".
std::string unit_name(std::uint8_t code);

// What the meter's clock last said about itself: its deviation and status.
struct MeterTimeBasis {
    std::int16_t deviation = CosemDateTime::deviation_not_specified;
    std::uint8_t status = clock_status::not_specified;
    bool known = false;  // the clock was read at all
};
// The date-time to send the meter for the UTC instant `utc_us`: local fields with the
// deviation (and DST bit) its clock reported; in the configured zone (the tz zone before
// the fixed one) when it reports none; else UTC with deviation 0.
CosemDateTime meter_time_at(TimestampUs utc_us, const MeterTimeBasis& basis, const TimeInterpretation& how);

// Capture-boundary arithmetic in UTC µs since the epoch, periods > 0.
TimestampUs floor_to(TimestampUs t, Duration period);
// The first instant after `now` that lies `delay` after a boundary.
TimestampUs next_after_boundary(TimestampUs now, Duration period, Duration delay);
// The earliest instant at or after `now` that is at least `guard` away from every boundary
// of `period` on both clocks (gateway, and meter = gateway + offset); a few rounds only.
TimestampUs guard_clear_at(TimestampUs now, const std::vector<Duration>& periods, Duration guard,
                           std::int64_t meter_offset_us);

// A value as identity text: strings trimmed, numbers in decimal, other octet-strings in
// hex (e.g. "0A1B"); nullopt for others.
std::optional<std::string> identity_text(const Data& d);
// scaler_unit (attribute 3): structure { integer scaler, enum unit }.
struct ScalerUnit {
    std::int8_t scaler = 0;
    std::uint8_t unit = 255;
};
std::optional<ScalerUnit> parse_scaler_unit(const Data& d);
// A date-time as the clock sends it: date_time, or octet-string of 12.
std::optional<CosemDateTime> as_date_time(const Data& d);

std::string iso(TimestampUs t);

}  // namespace gridgate::dlms::detail
