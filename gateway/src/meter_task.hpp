#pragma once
// Polls one meter on its schedule: waits for the slot on a steady timer (re-checking
// the wall clock at least once a second so clock steps realign promptly), runs the
// meter's poll through the connection's client and hands the readings to the sink.
// Runs on its own strand; never overlaps two polls of the same meter.
//
// A meter's points are split by priority into up to three pollers (high, normal, low),
// run in that order within one poll; the low one is skipped while `suspend_low` is set
// (the store's stop_low_priority quota policy).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/gateway/poll_schedule.hpp"
#include "gridgate/modbus/meter_poller.hpp"

namespace gridgate::gateway {

// What `gridgatectl status` shows per meter.
struct MeterStatus {
    std::string id;
    std::string connection;
    std::uint64_t polls = 0;
    std::uint64_t polls_ok = 0;       // every block answered
    std::uint64_t polls_failed = 0;   // at least one block failed
    std::uint64_t blocks_failed = 0;
    std::uint64_t readings = 0;
    std::uint64_t low_priority_skipped = 0;  // polls whose low-priority points were suspended
    std::uint64_t overruns = 0;
    std::uint64_t realignments = 0;
    std::uint64_t clock_step_polls = 0;  // polls during which the wall clock stepped (readings flagged)
    TimestampUs last_poll_ts = 0;     // wall time the last poll ended
    TimestampUs next_poll_ts = 0;
    std::string last_result = "never polled";  // "ok" or the last error
    Duration last_duration{};
};

class MeterTask : public std::enable_shared_from_this<MeterTask> {
public:
    // `pollers` in the order they run (high priority first); `low` is the index of the
    // low-priority one, or npos if the meter has no low points.
    MeterTask(boost::asio::any_io_executor executor, std::vector<std::unique_ptr<modbus::MeterPoller>> pollers,
              std::size_t low, std::string connection_id, Duration interval, Duration offset, const Clock& clock,
              ReadingSink& sink, const std::atomic<bool>& suspend_low, Logger& logger);

    void start();
    // Cancels the wait; a poll in flight finishes (its readings are submitted), then
    // done runs. No new poll starts after stop().
    void stop(std::function<void()> done);

    MeterStatus status() const;
    const std::string& id() const;

private:
    void arm();
    void on_timer();
    void run_poller(std::size_t index);
    void on_poll_done(SteadyTime started);

    boost::asio::strand<boost::asio::any_io_executor> strand_;
    boost::asio::steady_timer timer_;
    std::vector<std::unique_ptr<modbus::MeterPoller>> pollers_;
    std::size_t low_;
    const std::atomic<bool>& suspend_low_;
    modbus::PollOutcome current_;  // what the poll in flight has gathered so far
    bool skipped_low_ = false;
    SteadyTime started_{};
    TimestampUs started_wall_ = 0;  // wall time the poll in flight started (with started_)
    PollSchedule schedule_;
    const Clock& clock_;
    ReadingSink& sink_;
    Logger& logger_;
    bool polling_ = false;
    bool stopping_ = false;
    bool failing_ = false;
    std::function<void()> stopped_;
    mutable std::mutex status_mutex_;
    MeterStatus status_;
};

}  // namespace gridgate::gateway
