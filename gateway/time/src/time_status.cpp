// The quality rules of time_status.hpp.
#include "gridgate/time/time_status.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "gridgate/core/reading.hpp"

namespace gridgate::timesync {

namespace {

double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

std::string fmt(const char* format, double a, double b = 0) {
    char buffer[96];
    std::snprintf(buffer, sizeof(buffer), format, a, b);
    return buffer;
}

// Milliseconds with enough digits for both 0.004 ms (loopback) and 850 ms (NMEA).
std::string ms(double s) { return fmt("%.3g ms", s * 1e3); }

}  // namespace

std::string_view to_string(TimeQuality q) {
    switch (q) {
    case TimeQuality::synced: return "synced";
    case TimeQuality::holdover: return "holdover";
    case TimeQuality::unsynced: return "unsynced";
    }
    return "?";
}

std::uint32_t quality_flags(TimeQuality q) {
    switch (q) {
        case TimeQuality::synced: return quality::good;
        case TimeQuality::holdover: return quality::time_holdover;
        case TimeQuality::unsynced: break;
    }
    return quality::time_unsynced;
}

GatewayTimeStatus TimeStatusEvaluator::unsynced(GatewayTimeStatus s, std::string reason) {
    s.level = TimeQuality::unsynced;
    s.reason = std::move(reason);
    previous_ = TimeQuality::unsynced;
    holdover_since_.reset();
    return s;
}

GatewayTimeStatus TimeStatusEvaluator::evaluate(const std::optional<ChronyTracking>& tracking,
                                                std::string_view failure, TimestampUs now_utc,
                                                SteadyTime now_steady) {
    GatewayTimeStatus s;
    if (!tracking) return unsynced(std::move(s), "chronyd not answering: " + std::string(failure));

    const ChronyTracking& t = *tracking;
    s.chronyd_answering = true;
    s.source = t.reference_name();
    s.stratum = t.stratum;
    s.leap_status = t.leap_status;
    s.offset_s = -t.current_correction_s;  // chrony reports the correction still to apply
    s.root_distance_s = t.root_distance_s();
    if (t.ref_time_us > 0) s.since_update_s = static_cast<double>(now_utc - t.ref_time_us) / 1e6;

    if (t.leap_status == chrony::leap_unsynchronised)
        return unsynced(std::move(s), "chronyd not synchronised");
    if (t.stratum == 0 || t.stratum >= 16)
        return unsynced(std::move(s), "chronyd at stratum " + std::to_string(t.stratum));
    // `local stratum N` makes chronyd claim synchronisation to its own free-running clock
    // (refid 127.127.1.1, "LOCAL"): good for the clients it serves, not proof of time.
    if (t.ref_id == chrony::local_reference_id && t.ref_ip.empty())
        return unsynced(std::move(s), "chronyd follows its own clock (local reference)");

    // What keeps it from being good, if anything.
    std::string problem;
    const double max_error = seconds(limits_.max_error);
    const double expected_age =
        std::max(4 * t.last_update_interval_s, seconds(limits_.min_update_age));
    if (s.root_distance_s > max_error)
        problem = "root distance " + ms(s.root_distance_s) + " > max_error " + ms(max_error);
    else if (!s.since_update_s)
        problem = "no clock update yet";
    else if (*s.since_update_s > expected_age)
        problem = fmt("last update %.0f s ago (expected within %.0f s)", *s.since_update_s, expected_age);

    if (problem.empty()) {
        s.level = TimeQuality::synced;
        s.reason = "synchronised to " + (s.source.empty() ? std::string("?") : s.source) +
                   " at stratum " + std::to_string(t.stratum) + ", root distance " +
                   ms(s.root_distance_s);
        previous_ = TimeQuality::synced;
        ever_synced_ = true;
        holdover_since_.reset();
        return s;
    }
    if (previous_ == TimeQuality::unsynced)
        return unsynced(std::move(s),
                        (ever_synced_ ? "not synchronised again yet: " : "never synchronised since start: ") +
                            problem);

    if (!holdover_since_) holdover_since_ = now_steady;
    const Duration held = std::chrono::duration_cast<Duration>(now_steady - *holdover_since_);
    if (held > limits_.holdover)
        return unsynced(std::move(s), "holdover of " + format_duration(limits_.holdover) +
                                          " exhausted: " + problem);
    s.level = TimeQuality::holdover;
    s.reason = "holdover for " + fmt("%.0f s", seconds(held)) + ": " + problem;
    previous_ = TimeQuality::holdover;
    return s;
}

}  // namespace gridgate::timesync
