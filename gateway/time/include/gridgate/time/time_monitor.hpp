#pragma once
// Watches chronyd on a thread of its own: polls TRACKING every `poll_interval` (and at once
// on start), keeps the current GatewayTimeStatus, and reports each change of quality level
// (synced / holdover / unsynced) to a callback, which gridgated turns into audit events
// ("time source lost" / "time source regained", the gateway's twin of the meter's "TS"
// notification). Readers on the hot path take quality_flags(): one relaxed atomic load.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "gridgate/core/clock.hpp"
#include "gridgate/time/chrony_client.hpp"
#include "gridgate/time/time_status.hpp"

namespace gridgate::timesync {

struct TimeSourceConfig {
    ChronyEndpoint chrony;                                     // default: the Unix socket
    Duration poll_interval = std::chrono::seconds(16);
    Duration max_error = std::chrono::milliseconds(100);
    Duration holdover = std::chrono::hours(1);
    Duration min_update_age = std::chrono::seconds(64);        // see TimeQualityLimits
    Duration request_timeout = std::chrono::seconds(1);        // per attempt (2 attempts)
    // false: chronyd is not asked and every reading is flagged time_unsynced, since
    // nothing vouches for the clock.
    bool enabled = true;

    TimeQualityLimits limits() const { return {max_error, holdover, min_update_age}; }
};

class TimeMonitor {
public:
    using TransitionHandler =
        std::function<void(const GatewayTimeStatus& before, const GatewayTimeStatus& after)>;
    // One query of chronyd: the report, or nullopt with `failure` filled in. Must return
    // promptly once `stop` is requested. The default asks a ChronyClient.
    using TrackingSource =
        std::function<std::optional<ChronyTracking>(std::stop_token stop, std::string& failure)>;

    TimeMonitor(TimeSourceConfig config, const Clock& clock, TransitionHandler on_transition = {});
    TimeMonitor(TimeSourceConfig config, const Clock& clock, TrackingSource source,
                TransitionHandler on_transition);
    ~TimeMonitor();
    TimeMonitor(const TimeMonitor&) = delete;
    TimeMonitor& operator=(const TimeMonitor&) = delete;

    // Starts the polling thread (no-op when disabled or already running).
    void start();
    // Stops and joins it; returns within the source's cancellation latency (~20 ms).
    void stop();
    // Asks the thread to poll now instead of at the next interval.
    void poll_now();

    GatewayTimeStatus status() const;
    std::uint32_t quality_flags() const noexcept { return flags_.load(std::memory_order_relaxed); }
    std::uint64_t polls() const noexcept { return polls_.load(std::memory_order_relaxed); }

private:
    void run(std::stop_token stop);
    void poll_once(std::stop_token stop);

    TimeSourceConfig config_;
    const Clock& clock_;
    TrackingSource source_;
    TransitionHandler on_transition_;
    TimeStatusEvaluator evaluator_;  // only the polling thread touches it

    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    bool poll_requested_ = false;
    GatewayTimeStatus status_;
    std::atomic<std::uint32_t> flags_;
    std::atomic<std::uint64_t> polls_{0};
    std::jthread thread_;
};

}  // namespace gridgate::timesync
