#pragma once
// From what chronyd says to how much the gateway trusts its own clock. Pure: the caller
// passes the tracking report (or why there is none) and the current times.
//
//   unsynced  chronyd not answering, chronyd not synchronised (leap status 3), stratum 0
//             or 16, or never good since the gateway started, or holdover ran out.
//   synced    chronyd synchronised, root distance <= max_error and updates arriving.
//   holdover  was synced, and now the last update is older than expected or the root
//             distance grew past max_error: the clock free-runs on its last frequency
//             estimate. Allowed for at most `holdover`, then unsynced until good again.
//
// Holdover arithmetic: once the sources are gone the error grows about as skew x elapsed
// (plus the residual frequency; chronyd adds its own 1 ppm `maxclockerror` in the root
// dispersion it reports). A 1 ppm clock takes 0.1 s / 1e-6 = 1e5 s ~ 28 h to drift by
// 100 ms; a 10 ppm one (an uncompensated crystal in a hot cabinet) less than 3 h. chronyd's
// root dispersion grows at that rate, so it is the estimate; the configured `holdover`
// caps how long the gateway believes it, since temperature swings can make a drift
// estimate wrong by more than it says.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gridgate/core/time.hpp"
#include "gridgate/time/chrony_protocol.hpp"

namespace gridgate::timesync {

enum class TimeQuality { synced, holdover, unsynced };
std::string_view to_string(TimeQuality q);

// Quality flags a reading taken now gets: quality::time_unsynced when unsynced,
// quality::time_holdover in holdover, 0 when synced.
std::uint32_t quality_flags(TimeQuality q);

struct TimeQualityLimits {
    Duration max_error = std::chrono::milliseconds(100);  // largest root distance called synced
    Duration holdover = std::chrono::hours(1);             // longest holdover before unsynced
    // An update is overdue when older than max(4 x chronyd's last update interval, this).
    // 4 intervals: chronyd lengthens its poll interval gradually, so one missed update is
    // normal but four are not; the floor covers reference clocks updating every second or
    // less and is chronyd's default minimum poll (64 s).
    Duration min_update_age = std::chrono::seconds(64);
};

struct GatewayTimeStatus {
    TimeQuality level = TimeQuality::unsynced;
    std::string source;        // reference: "GPS", "192.0.2.1", "" when none
    std::uint16_t stratum = 0;
    std::uint16_t leap_status = chrony::leap_unsynchronised;
    double offset_s = 0;       // gateway clock minus chrony's estimate of true time (+ = ahead)
    double root_distance_s = 0;
    std::optional<double> since_update_s;  // age of chronyd's last clock update, if any
    std::string reason;        // one line for operators and the audit log
    bool chronyd_answering = false;

    friend bool operator==(const GatewayTimeStatus&, const GatewayTimeStatus&) = default;
};

// Keeps the little history the rules need (was it synced, since when in holdover).
class TimeStatusEvaluator {
public:
    explicit TimeStatusEvaluator(TimeQualityLimits limits = {}) : limits_(limits) {}

    // `tracking` is nullopt when chronyd did not answer; `failure` then says why.
    // `now_utc` dates chronyd's reference time; `now_steady` measures holdover.
    GatewayTimeStatus evaluate(const std::optional<ChronyTracking>& tracking,
                               std::string_view failure, TimestampUs now_utc,
                               SteadyTime now_steady);

    const TimeQualityLimits& limits() const { return limits_; }

private:
    GatewayTimeStatus unsynced(GatewayTimeStatus s, std::string reason);

    TimeQualityLimits limits_;
    TimeQuality previous_ = TimeQuality::unsynced;
    bool ever_synced_ = false;
    std::optional<SteadyTime> holdover_since_;
};

}  // namespace gridgate::timesync
