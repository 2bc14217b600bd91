// The polling thread of TimeMonitor.
#include "gridgate/time/time_monitor.hpp"

#include <memory>

namespace gridgate::timesync {

namespace {

TimeMonitor::TrackingSource client_source(const TimeSourceConfig& config) {
    auto client = std::make_shared<ChronyClient>(config.chrony);
    const Duration timeout = config.request_timeout;
    return [client, timeout](std::stop_token stop, std::string& failure) -> std::optional<ChronyTracking> {
        try {
            return client->tracking(timeout, stop);
        } catch (const ChronyError& e) {
            failure = e.what();
            return std::nullopt;
        }
    };
}

GatewayTimeStatus initial_status(bool enabled) {
    GatewayTimeStatus s;
    s.reason = enabled ? "chronyd not asked yet" : "time source monitoring disabled in the configuration";
    return s;
}

}  // namespace

TimeMonitor::TimeMonitor(TimeSourceConfig config, const Clock& clock, TransitionHandler on_transition)
    : TimeMonitor(config, clock, client_source(config), std::move(on_transition)) {}

TimeMonitor::TimeMonitor(TimeSourceConfig config, const Clock& clock, TrackingSource source,
                         TransitionHandler on_transition)
    : config_(std::move(config)),
      clock_(clock),
      source_(std::move(source)),
      on_transition_(std::move(on_transition)),
      evaluator_(config_.limits()),
      status_(initial_status(config_.enabled)),
      flags_(timesync::quality_flags(status_.level)) {}

TimeMonitor::~TimeMonitor() { stop(); }

void TimeMonitor::start() {
    if (!config_.enabled || thread_.joinable()) return;
    thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void TimeMonitor::stop() {
    if (!thread_.joinable()) return;
    thread_.request_stop();  // wakes the wait below and cancels a query in flight
    thread_.join();
}

void TimeMonitor::poll_now() {
    {
        std::lock_guard lock(mutex_);
        poll_requested_ = true;
    }
    wake_.notify_all();
}

GatewayTimeStatus TimeMonitor::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

void TimeMonitor::run(std::stop_token stop) {
    while (!stop.stop_requested()) {
        poll_once(stop);
        std::unique_lock lock(mutex_);
        // Returns early on stop or poll_now(); spurious wake-ups re-check the predicate.
        wake_.wait_for(lock, stop, config_.poll_interval, [this] { return poll_requested_; });
        poll_requested_ = false;
    }
}

void TimeMonitor::poll_once(std::stop_token stop) {
    std::string failure;
    const auto tracking = source_(stop, failure);
    if (stop.stop_requested()) return;  // a cancelled query says nothing about chronyd
    GatewayTimeStatus after =
        evaluator_.evaluate(tracking, failure, clock_.now_utc_us(), clock_.steady_now());

    GatewayTimeStatus before;
    {
        std::lock_guard lock(mutex_);
        before = std::move(status_);
        status_ = after;
        flags_.store(timesync::quality_flags(after.level), std::memory_order_relaxed);
    }
    polls_.fetch_add(1, std::memory_order_relaxed);
    if (before.level != after.level && on_transition_) on_transition_(before, after);
}

}  // namespace gridgate::timesync
