#pragma once
// Appending JSON text by hand into one std::string: the reading batch encoder writes
// tens of thousands of values a second, so these avoid temporary strings entirely.
#include <cstdint>
#include <string>
#include <string_view>

#include "gridgate/core/time.hpp"

namespace gridgate::northbound::json {

// A JSON string literal with quotes. Quote, backslash and control characters are
// escaped; bytes that are not valid UTF-8 become U+FFFD, so the output is always valid
// JSON whatever a meter or a config file put in a name.
void append_string(std::string& out, std::string_view text);

// text with every byte that does not start a well-formed UTF-8 sequence replaced by
// U+FFFD, so that a strict JSON parser accepts stored text whatever bytes got into it.
std::string valid_utf8(std::string_view text);

// A JSON number in the shortest form that reads back to the same double; NaN and
// infinities, which JSON cannot represent, become null.
void append_number(std::string& out, double value);

void append_uint(std::string& out, std::uint64_t value);

// ISO-8601 UTC timestamps exactly as core's format_iso8601_utc writes them, without its
// per-call allocation. Remembers the last whole second, since the readings of one poll
// share it; one instance per encoding call (not shared between threads).
class TimestampWriter {
public:
    void append(std::string& out, TimestampUs ts);

private:
    std::int64_t cached_second_ = INT64_MIN;
    char date_time_[19] = {};  // "YYYY-MM-DDTHH:MM:SS"
    bool cacheable_ = false;   // year within 0..9999
};

}  // namespace gridgate::northbound::json
