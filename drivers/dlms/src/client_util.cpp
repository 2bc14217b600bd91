// Pure helpers of the DLMS client (see client_util.hpp).
#include "client_util.hpp"

#include <algorithm>
#include <cmath>

namespace gridgate::dlms::detail {

namespace {

// A BER length at `at`: the value and the octets it took.
std::optional<std::pair<std::size_t, std::size_t>> ber_length(std::span<const std::uint8_t> in, std::size_t at) {
    if (at >= in.size()) return std::nullopt;
    const std::uint8_t first = in[at];
    if (first < 0x80) return std::make_pair(std::size_t{first}, std::size_t{1});
    const std::size_t n = first & 0x7F;
    if (n == 0 || n > 4 || at + 1 + n > in.size()) return std::nullopt;
    std::size_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | in[at + 1 + i];
    return std::make_pair(v, n + 1);
}

constexpr std::uint8_t aarq_tag = 0x60;
constexpr std::uint8_t calling_authentication_value = 0xAC;  // [12] constructed

}  // namespace

TraceMask aarq_password_mask(std::span<const std::uint8_t> apdu) {
    if (apdu.empty() || apdu[0] != aarq_tag) return {};
    const auto outer = ber_length(apdu, 1);
    if (!outer) return {};
    const std::size_t end = std::min(apdu.size(), 1 + outer->second + outer->first);
    std::size_t at = 1 + outer->second;
    while (at + 1 < end) {
        const std::uint8_t tag = apdu[at];
        const auto len = ber_length(apdu, at + 1);
        if (!len) return {};
        const std::size_t content = at + 1 + len->second;
        if (tag == calling_authentication_value) {
            // Authentication-value CHOICE: [0] charstring (the LLS password) or [1] bitstring.
            const auto inner = ber_length(apdu, content + 1);
            if (!inner || content + 1 >= end) return {};
            const std::size_t value = content + 1 + inner->second;
            return {std::min(value, end), std::min(value + inner->first, end)};
        }
        at = content + len->first;
    }
    return {};
}

std::vector<std::uint8_t> masked(std::span<const std::uint8_t> bytes, TraceMask mask) {
    std::vector<std::uint8_t> out(bytes.begin(), bytes.end());
    for (std::size_t i = mask.begin; i < mask.end && i < out.size(); ++i) out[i] = 0x2A;
    return out;
}

std::string unit_name(std::uint8_t code) {
    switch (code) {
        case 1: return "a";
        case 2: return "mo";
        case 3: return "wk";
        case 4: return "d";
        case 5: return "h";
        case 6: return "min";
        case 7: return "s";
        case 8: return "\u00B0";
        case 9: return "\u00B0C";
        case 10: return "currency";
        case 11: return "m";
        case 12: return "m/s";
        case 13: return "m3";
        case 14: return "m3";  // corrected volume
        case 15: return "m3/h";
        case 16: return "m3/h";
        case 17: return "m3/d";
        case 18: return "m3/d";
        case 19: return "l";
        case 20: return "kg";
        case 21: return "N";
        case 22: return "Nm";
        case 23: return "Pa";
        case 24: return "bar";
        case 25: return "J";
        case 26: return "J/h";
        case 27: return "W";
        case 28: return "VA";
        case 29: return "var";
        case 30: return "Wh";
        case 31: return "VAh";
        case 32: return "varh";
        case 33: return "A";
        case 34: return "C";
        case 35: return "V";
        case 36: return "V/m";
        case 37: return "F";
        case 38: return "\u03A9";
        case 40: return "Wb";
        case 41: return "T";
        case 42: return "A/m";
        case 43: return "H";
        case 44: return "Hz";
        case 48: return "V2h";
        case 49: return "A2h";
        case 50: return "kg/s";
        case 51: return "S";
        case 52: return "K";
        case 56: return "%";
        case 57: return "Ah";
        case 72: return "dB";
        case 255: return "";
        default: return "unit" + std::to_string(code);
    }
}

CosemDateTime meter_time_at(TimestampUs utc_us, const MeterTimeBasis& basis, const TimeInterpretation& how) {
    if (basis.known && basis.deviation != CosemDateTime::deviation_not_specified && !how.ignore_deviation) {
        // A zone without DST rules whose offset is the reported deviation, in ISO sign.
        LocalZone fixed;
        fixed.utc_offset_min =
            static_cast<std::int16_t>(how.sign == DeviationSign::blue_book ? -basis.deviation : basis.deviation);
        CosemDateTime t = from_utc_us(utc_us, fixed, how.sign);
        t.status = basis.status == clock_status::not_specified
                       ? clock_status::not_specified
                       : static_cast<std::uint8_t>(basis.status & clock_status::daylight_saving_active);
        return t;
    }
    if (how.time_zone) return from_utc_us(utc_us, *how.time_zone, how.sign);
    if (how.zone) return from_utc_us(utc_us, *how.zone, how.sign);
    CosemDateTime t = from_utc_us(utc_us, LocalZone{}, how.sign);
    t.deviation = 0;
    return t;
}

TimestampUs floor_to(TimestampUs t, Duration period) {
    const std::int64_t p = period.count();
    std::int64_t q = t / p;
    if (t % p != 0 && t < 0) --q;
    return q * p;
}

TimestampUs next_after_boundary(TimestampUs now, Duration period, Duration delay) {
    const TimestampUs d = delay.count();
    return floor_to(now - d, period) + period.count() + d;
}

TimestampUs guard_clear_at(TimestampUs now, const std::vector<Duration>& periods, Duration guard,
                           std::int64_t meter_offset_us) {
    TimestampUs t = now;
    const std::int64_t g = guard.count();
    if (g <= 0) return t;
    for (int round = 0; round < 8; ++round) {
        TimestampUs moved = t;
        for (const Duration period : periods) {
            if (period.count() <= 0) continue;
            for (const std::int64_t shift : {std::int64_t{0}, meter_offset_us}) {
                const TimestampUs local = moved + shift;
                const TimestampUs before = floor_to(local, period);
                const TimestampUs after = before + period.count();
                // Too close after the last boundary or before the next: wait until guard after it.
                if (local - before < g) moved = std::max(moved, before + g - shift);
                else if (after - local < g) moved = std::max(moved, after + g - shift);
            }
        }
        if (moved == t) return t;
        t = moved;
    }
    return t;
}

std::optional<std::string> identity_text(const Data& d) {
    std::string text;
    if (auto s = d.as_text()) {
        text = *s;
    } else if (d.tag == DataTag::float32 || d.tag == DataTag::float64) {
        text = std::to_string(d.real);
    } else if (auto i = d.as_int()) {
        text = std::to_string(*i);
    } else if (d.tag == DataTag::long64_unsigned || d.tag == DataTag::double_long_unsigned) {
        text = std::to_string(d.unsigned_value);
    } else if (d.tag == DataTag::octet_string) {
        // Not printable (a firmware signature): in hex, to compare with what JEMWare shows.
        static constexpr char digits[] = "0123456789ABCDEF";
        for (const std::uint8_t b : d.bytes) {
            text.push_back(digits[b >> 4]);
            text.push_back(digits[b & 0x0F]);
        }
        return text;
    } else {
        return std::nullopt;
    }
    const auto space = [](unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0; };
    while (!text.empty() && space(static_cast<unsigned char>(text.back()))) text.pop_back();
    std::size_t start = 0;
    while (start < text.size() && space(static_cast<unsigned char>(text[start]))) ++start;
    return text.substr(start);
}

std::optional<ScalerUnit> parse_scaler_unit(const Data& d) {
    if (d.tag != DataTag::structure || d.items.size() != 2) return std::nullopt;
    const auto scaler = d.items[0].as_int();
    const auto unit = d.items[1].as_int();
    if (!scaler || !unit || *scaler < -128 || *scaler > 127 || *unit < 0 || *unit > 255) return std::nullopt;
    return ScalerUnit{static_cast<std::int8_t>(*scaler), static_cast<std::uint8_t>(*unit)};
}

std::optional<CosemDateTime> as_date_time(const Data& d) {
    if ((d.tag != DataTag::date_time && d.tag != DataTag::octet_string) || d.bytes.size() != 12) return std::nullopt;
    return decode_date_time(d.bytes);
}

std::string iso(TimestampUs t) { return format_iso8601_utc(t); }

}  // namespace gridgate::dlms::detail
