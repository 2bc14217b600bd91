#include "gridgate/core/time.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <limits>

namespace gridgate {

std::string format_iso8601_utc(TimestampUs ts) {
    std::int64_t secs = ts / 1'000'000;
    std::int64_t micros = ts % 1'000'000;
    if (micros < 0) {
        micros += 1'000'000;
        secs -= 1;
    }
    std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(micros));
    return buf;
}

bool parse_duration(const std::string& text, Duration& out) {
    std::size_t i = 0;
    std::uint64_t n = 0;
    bool digits = false;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        std::uint64_t d = static_cast<std::uint64_t>(text[i] - '0');
        if (n > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
        n = n * 10 + d;
        digits = true;
        ++i;
    }
    if (!digits) return false;
    const std::string unit = text.substr(i);
    std::uint64_t mult = 0;
    if (unit == "us") mult = 1;
    else if (unit == "ms") mult = 1'000;
    else if (unit == "s") mult = 1'000'000;
    else if (unit == "m" || unit == "min") mult = 60'000'000;
    else if (unit == "h") mult = 3'600'000'000ULL;
    else if (unit == "d") mult = 86'400'000'000ULL;
    else return false;
    const auto max = static_cast<std::uint64_t>(std::numeric_limits<Duration::rep>::max());
    if (n > max / mult) return false;
    out = Duration{static_cast<Duration::rep>(n * mult)};
    return true;
}

std::string format_duration(Duration d) {
    const auto us = d.count();
    // Days only from two upwards: "24h" reads better than "1d" in limits and messages.
    if (us >= 2 * 86'400'000'000LL && us % 86'400'000'000LL == 0) return std::to_string(us / 86'400'000'000LL) + "d";
    if (us != 0 && us % 3'600'000'000LL == 0) return std::to_string(us / 3'600'000'000LL) + "h";
    if (us != 0 && us % 60'000'000LL == 0) return std::to_string(us / 60'000'000LL) + "m";
    if (us != 0 && us % 1'000'000 == 0) return std::to_string(us / 1'000'000) + "s";
    if (us % 1'000 == 0) return std::to_string(us / 1'000) + "ms";
    return std::to_string(us) + "us";
}

}  // namespace gridgate
