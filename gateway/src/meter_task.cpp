#include "meter_task.hpp"

#include "clock_watch.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

namespace gridgate::gateway {

namespace asio = boost::asio;

namespace {
// Longest single sleep: the wall clock is re-read at least this often so a clock step
// realigns the schedule within a second.
constexpr Duration max_sleep = std::chrono::seconds(1);
}  // namespace

MeterTask::MeterTask(asio::any_io_executor executor, std::vector<std::unique_ptr<modbus::MeterPoller>> pollers,
                     std::size_t low, std::string connection_id, Duration interval, Duration offset,
                     const Clock& clock, ReadingSink& sink, const std::atomic<bool>& suspend_low, Logger& logger)
    : strand_(asio::make_strand(executor)),
      timer_(strand_),
      pollers_(std::move(pollers)),
      low_(low),
      suspend_low_(suspend_low),
      schedule_(interval, offset),
      clock_(clock),
      sink_(sink),
      logger_(logger) {
    status_.id = pollers_.front()->options().meter_id;
    status_.connection = std::move(connection_id);
}

const std::string& MeterTask::id() const { return pollers_.front()->options().meter_id; }

void MeterTask::start() {
    asio::post(strand_, [self = shared_from_this()] { self->arm(); });
}

void MeterTask::stop(std::function<void()> done) {
    asio::post(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
        self->stopping_ = true;
        self->timer_.cancel();
        if (self->polling_) {
            self->stopped_ = std::move(done);  // runs when the poll in flight ends
        } else if (done) {
            done();
        }
    });
}

void MeterTask::arm() {
    if (stopping_) return;
    const Duration wait = schedule_.time_until_due(clock_.now_utc_us());
    {
        std::lock_guard lock(status_mutex_);
        status_.next_poll_ts = schedule_.target();
        status_.realignments = schedule_.realignments();
    }
    if (wait == Duration::zero()) {
        on_timer();
        return;
    }
    timer_.expires_after(std::min(wait, max_sleep));
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec) return;  // cancelled by stop()
        self->arm();
    });
}

void MeterTask::on_timer() {
    polling_ = true;
    current_ = {};
    skipped_low_ = false;
    started_ = clock_.steady_now();
    started_wall_ = clock_.now_utc_us();
    run_poller(0);
}

void MeterTask::run_poller(std::size_t index) {
    if (index == low_ && suspend_low_.load()) {
        skipped_low_ = true;
        ++index;
    }
    if (index >= pollers_.size()) {
        on_poll_done(started_);
        return;
    }
    pollers_[index]->poll([self = shared_from_this(), index](modbus::PollOutcome part) {
        // The client answers on its own strand; come back to ours.
        asio::post(self->strand_, [self, index, part = std::move(part)]() mutable {
            auto& all = self->current_;
            all.readings.insert(all.readings.end(), std::make_move_iterator(part.readings.begin()),
                                std::make_move_iterator(part.readings.end()));
            all.blocks_ok += part.blocks_ok;
            all.blocks_failed += part.blocks_failed;
            if (!part.last_error.empty()) all.last_error = part.last_error;
            // An unreachable meter costs no more for its other groups: the clients fail
            // fast while they back off from it. On shutdown, end the poll after the group
            // in flight and submit what it has.
            self->run_poller(self->stopping_ ? self->pollers_.size() : index + 1);
        });
    });
}

void MeterTask::on_poll_done(SteadyTime started) {
    polling_ = false;
    modbus::PollOutcome outcome = std::move(current_);
    current_ = {};
    const TimestampUs now = clock_.now_utc_us();
    const Duration took = std::chrono::duration_cast<Duration>(clock_.steady_now() - started);
    const std::uint64_t overran = schedule_.poll_finished(now, took);
    const std::size_t n = outcome.readings.size();
    {
        std::lock_guard lock(status_mutex_);
        ++status_.polls;
        if (outcome.blocks_failed == 0) {
            ++status_.polls_ok;
            status_.last_result = "ok";
        } else {
            ++status_.polls_failed;
            status_.last_result = outcome.last_error;
        }
        status_.blocks_failed += outcome.blocks_failed;
        status_.readings += n;
        if (skipped_low_) ++status_.low_priority_skipped;
        status_.overruns = schedule_.overruns();
        status_.realignments = schedule_.realignments();
        status_.last_poll_ts = now;
        status_.last_duration = took;
    }
    if (overran > 0)
        logger_.warn("poll", id() + ": poll took " + format_duration(took) + ", " + std::to_string(overran) +
                                 " slot(s) overrun");
    // Log transitions, not every failed poll: a dead meter must not flood the log.
    if (outcome.blocks_failed > 0 && !failing_) {
        logger_.warn("poll", id() + ": poll failed: " + outcome.last_error);
    } else if (outcome.blocks_failed == 0 && failing_) {
        logger_.info("poll", id() + ": answering again");
    }
    failing_ = outcome.blocks_failed > 0;
    // The wall clock stepped while this poll ran: its readings' timestamps may come from
    // either side of the step.
    if (wall_step_between(started_wall_, started, now, clock_.steady_now())) {
        for (auto& r : outcome.readings) r.quality |= quality::clock_step;
        std::lock_guard lock(status_mutex_);
        ++status_.clock_step_polls;
    }
    if (n > 0) sink_.submit(std::move(outcome.readings));
    if (stopping_) {
        if (stopped_) std::exchange(stopped_, nullptr)();
        return;
    }
    arm();
}

MeterStatus MeterTask::status() const {
    std::lock_guard lock(status_mutex_);
    return status_;
}

}  // namespace gridgate::gateway
