#pragma once
// ISO 8601 / RFC 3339 date-times as the meter writes EventTime ("2019-08-23T21:00:00Z",
// "2019-08-23T17:00:00-04:00"), to UTC microseconds. Pure.
#include <optional>
#include <string_view>

#include "gridgate/core/time.hpp"

namespace gridgate::notify::detail {

// YYYY-MM-DD, 'T' (or 't' or a space), hh:mm:ss, optional fraction (up to microseconds
// kept), then 'Z' or an offset ±hh:mm / ±hhmm / ±hh. nullopt for anything else: a time
// without an offset is local to a meter whose zone we do not know, so it is not guessed.
std::optional<TimestampUs> parse_iso8601_utc(std::string_view text);

}  // namespace gridgate::notify::detail
