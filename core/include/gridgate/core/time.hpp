#pragma once
// Time vocabulary. Readings carry UTC wall time in microseconds since the Unix epoch;
// scheduling uses the steady clock. Both come from a Clock so tests can drive them.
#include <chrono>
#include <cstdint>
#include <string>

namespace gridgate {

using TimestampUs = std::int64_t;  // µs since 1970-01-01T00:00:00Z
using Duration = std::chrono::microseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

// Formats a UTC timestamp as ISO-8601 with microseconds, e.g. 2026-11-21T10:15:00.000123Z.
std::string format_iso8601_utc(TimestampUs ts);

// Parses a human duration as written in configuration: "250ms", "2s", "15m", "1h",
// "1500us", "30d". Returns false on anything else (no unit, negative, overflow).
bool parse_duration(const std::string& text, Duration& out);

// The inverse of parse_duration, choosing the largest exact unit ("15m", "250ms").
std::string format_duration(Duration d);

}  // namespace gridgate
