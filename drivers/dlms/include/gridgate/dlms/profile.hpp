#pragma once
// Profile generic (class 7) helpers, pure: capture objects, buffers decoded into
// timestamped entries, the reference meter's interval status codes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/dlms/apdu.hpp"
#include "gridgate/dlms/axdr.hpp"
#include "gridgate/dlms/cosem_time.hpp"
#include "gridgate/dlms/obis.hpp"

namespace gridgate::dlms {

// Attribute 3 elements: structure { class_id long-unsigned, logical_name octet-string(6),
// attribute_index integer, data_index long-unsigned }.
struct CaptureObject {
    std::uint16_t class_id = 0;
    Obis logical_name;
    std::int8_t attribute = 2;
    std::uint16_t data_index = 0;
    friend bool operator==(const CaptureObject&, const CaptureObject&) = default;
};
Parsed<std::vector<CaptureObject>> parse_capture_objects(const Data& attribute3);
Data encode_capture_objects(const std::vector<CaptureObject>& objects);  // the simulator's side

// Column roles in a buffer: the clock column (class 8, attribute 2: the interval end), the
// status column (by default the first class-1 column; the reference meter's "operating
// status"), and value columns.
struct ProfileLayout {
    std::optional<std::size_t> clock_column;
    std::optional<std::size_t> status_column;
};
ProfileLayout find_layout(const std::vector<CaptureObject>& columns,
                          const std::optional<Obis>& status_obis = std::nullopt);

struct ProfileEntry {
    TimestampUs end_us = 0;                    // interval end (the entry's clock value), UTC
    CosemDateTime time;                        // as the meter sent it (deviation, status); unspecified when derived
    bool time_derived = false;                 // the clock column was null: previous entry + capture period
    // Local time in a tz zone that named no single instant and was placed by policy: a
    // stamp in the skipped spring-forward hour (a meter keeping that zone never shows one:
    // its clock or DST table is wrong), or a repeated fall-back hour neither its DST bit
    // nor the order decided. Its readings are flagged quality::meter_clock_suspect.
    bool time_suspect = false;
    std::optional<std::uint32_t> status;       // the status column's value
    std::vector<std::optional<double>> values; // one per column; nullopt: not a number (clock, null, ...)
};

struct ProfileDecode {
    std::vector<ProfileEntry> entries;
    std::size_t skipped = 0;  // entries that were not a structure of the right size or had no usable time
    std::string error;        // the buffer was not an array at all
};

// Decodes attribute 2 (an array of structures, one element per column). A null clock value
// means "previous entry's time + capture period" (Blue Book); without a previous entry, or
// right after a skipped one (whose time is unknown), or with a zero capture period, it is
// skipped. The date-time may come as an octet-string(12) or a date_time.
// With how.time_zone, entries in local time are placed by a LocalSeriesResolver in the
// buffer's order: the fall-back day's repeated hour comes out as two hours of distinct,
// increasing instants (first pass, then second), never merged or swapped. `previous_end_us`
// is the instant of the entry before the buffer's first (the read pointer), so a buffer
// starting inside the repeated hour is still placed right.
ProfileDecode decode_profile_buffer(const Data& buffer, std::size_t column_count, const ProfileLayout& layout,
                                    Duration capture_period, const TimeInterpretation& how,
                                    std::optional<TimestampUs> previous_end_us = std::nullopt);

// The reference meter's interval status (meter-dlms.md 6.3), a bit mask:
namespace interval_status {
inline constexpr std::uint32_t normal = 0x0001;
inline constexpr std::uint32_t midnight = 0x0002;
inline constexpr std::uint32_t power_outage = 0x0004;
inline constexpr std::uint32_t time_set = 0x0008;
inline constexpr std::uint32_t dst_change = 0x0010;
inline constexpr std::uint32_t test_mode = 0x0020;
inline constexpr std::uint32_t configuration = 0x0040;
inline constexpr std::uint32_t freeze = 0x0080;
inline constexpr std::uint32_t billing_reset = 0x0100;
inline constexpr std::uint32_t register_preset = 0x0200;
inline constexpr std::uint32_t recalibration = 0x0400;
inline constexpr std::uint32_t diagnostic = 0x0800;
}  // namespace interval_status

// Reading quality flags (core/reading.hpp) an interval status carries:
//   power_outage -> quality::power_outage; time_set -> quality::clock_step;
//   dst_change -> quality::dst_change; test_mode -> quality::test_mode;
//   configuration, register_preset, recalibration -> quality::config_change;
//   billing_reset -> quality::billing_reset; diagnostic -> quality::meter_diagnostic.
//   normal, midnight and freeze carry none.
std::uint32_t interval_status_quality(std::uint32_t status);
// "normal", "midnight|power_outage", ... for logs.
std::string describe_interval_status(std::uint32_t status);

}  // namespace gridgate::dlms
