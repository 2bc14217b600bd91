#pragma once
// The unit of data the gateway moves: one value of one point of one meter at one time.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/time.hpp"

namespace gridgate {

// Quality flags, a bit set. 0 means good. Values are part of the stored format and of
// the northbound contract (names), so never renumber them.
namespace quality {
inline constexpr std::uint32_t good = 0;
inline constexpr std::uint32_t invalid = 1u << 0;              // value not usable
inline constexpr std::uint32_t time_unsynced = 1u << 1;        // gateway clock not disciplined
inline constexpr std::uint32_t meter_clock_suspect = 1u << 2;  // meter clock off tolerance
inline constexpr std::uint32_t refilled = 1u << 3;             // recovered later from meter profile
inline constexpr std::uint32_t overflow = 1u << 4;             // counter overflow / rollover
inline constexpr std::uint32_t estimated = 1u << 5;            // value estimated
inline constexpr std::uint32_t clock_step = 1u << 6;           // taken across a wall-clock step
inline constexpr std::uint32_t events_lost = 1u << 7;          // the meter's event buffer overflowed before this was read
// From a load-profile interval's status (DLMS): what happened in the meter during the interval.
inline constexpr std::uint32_t power_outage = 1u << 8;         // the meter lost power during the interval (partial)
inline constexpr std::uint32_t billing_reset = 1u << 9;        // a billing period reset happened in the interval
inline constexpr std::uint32_t test_mode = 1u << 10;           // recorded in test mode: not billing data
inline constexpr std::uint32_t config_change = 1u << 11;       // meter reconfigured, preset or recalibrated in the interval
inline constexpr std::uint32_t dst_change = 1u << 12;          // the meter's clock changed to or from DST in the interval
inline constexpr std::uint32_t meter_diagnostic = 1u << 13;    // a meter diagnostic was active in the interval
// The gateway's clock in holdover: its time sources are lost, it runs on its last
// frequency estimate, still within the configured error budget (time_unsynced once not).
inline constexpr std::uint32_t time_holdover = 1u << 14;
inline constexpr std::uint32_t all = (1u << 15) - 1;           // every defined flag (the store keeps up to 39 bits)
}  // namespace quality

// Names of the set flags, in bit order ("good" only when none is set).
std::vector<std::string_view> quality_names(std::uint32_t flags);

enum class Source : std::uint8_t {
    modbus_tcp = 1,
    modbus_rtu = 2,
    dnp3 = 3,
    dlms = 4,
    gateway = 5,
};
std::string_view to_string(Source s);

struct Reading {
    std::string meter;       // meter id from configuration
    std::string point;       // point name within the meter
    TimestampUs ts_us = 0;   // UTC, µs
    double value = 0.0;
    std::string unit;        // e.g. "kWh", "V"
    std::uint32_t quality = quality::good;
    Source source = Source::gateway;

    friend bool operator==(const Reading&, const Reading&) = default;
};

// A reading once the store has committed it and given it its gapless sequence number.
struct StoredReading {
    std::uint64_t seq = 0;
    Reading reading;
};

}  // namespace gridgate
