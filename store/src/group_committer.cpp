#include "gridgate/store/group_committer.hpp"

#include <exception>
#include <iterator>
#include <string>

namespace gridgate::store {

namespace {
constexpr std::string_view component = "store";
}

GroupCommitter::GroupCommitter(ReadingLog& log, GroupCommitOptions options, Logger& logger,
                               std::function<void(SeqRange)> on_commit)
    : log_(log), options_(options), logger_(logger), on_commit_(std::move(on_commit)) {
    thread_ = std::thread([this] { run(); });
}

GroupCommitter::~GroupCommitter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void GroupCommitter::submit(std::vector<Reading> readings) {
    if (readings.empty()) return;
    bool notify = false;
    {
        std::lock_guard lock(mutex_);
        if (finished_) {
            // Only possible when a producer outlives the committer: a wiring bug, made loud.
            logger_.error(component, "submit after the group committer stopped: " +
                                         std::to_string(readings.size()) + " readings not stored");
            return;
        }
        // The thread sleeps without a deadline while the queue is empty, and only needs
        // waking early when the size threshold is reached.
        notify = queued_.empty();
        queued_readings_ += readings.size();
        queued_.push_back(Batch{std::move(readings), SteadyClock::now()});
        ++submitted_batches_;
        notify = notify || queued_readings_ >= options_.max_batch;
    }
    if (notify) wake_.notify_one();
}

void GroupCommitter::flush() {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = submitted_batches_;
    if (committed_batches_ >= target) return;
    if (flush_target_ < target) flush_target_ = target;
    wake_.notify_one();
    done_.wait(lock, [&] { return committed_batches_ >= target || finished_; });
}

GroupCommitStats GroupCommitter::stats() const {
    std::lock_guard lock(mutex_);
    GroupCommitStats s = stats_;
    s.pending = queued_readings_ + in_flight_readings_;
    return s;
}

void GroupCommitter::run() {
    std::unique_lock lock(mutex_);
    try {
        run_loop(lock);
    } catch (const std::exception& e) {
        // Nothing in the loop is expected to throw (commit errors are caught there);
        // this is bad_alloc territory. Stop cleanly rather than terminate the daemon.
        if (!lock.owns_lock()) lock.lock();
        logger_.error(component, std::string("group committer stopped: ") + e.what());
    } catch (...) {
        if (!lock.owns_lock()) lock.lock();
        logger_.error(component, "group committer stopped: unknown exception");
    }
    if (!lock.owns_lock()) lock.lock();
    finished_ = true;
    lock.unlock();
    done_.notify_all();
}

void GroupCommitter::run_loop(std::unique_lock<std::mutex>& lock) {
    std::vector<Reading> in_flight;  // kept across failed attempts, never dropped while running
    std::uint64_t batches_after = 0;  // committed_batches_ once in_flight is committed
    unsigned failures_in_a_row = 0;
    unsigned shutdown_failures = 0;
    for (;;) {
        if (in_flight.empty()) {
            wait_until_due(lock);
            if (queued_.empty()) return;  // stopping, and everything is committed
            in_flight = take_queued(batches_after);
        }

        lock.unlock();
        std::string error;
        const std::optional<SeqRange> range = try_commit(in_flight, error);
        lock.lock();

        if (range) {
            // Stats first, then the observer, then flush() callers: whoever is woken by
            // a step sees the ones before it done.
            ++stats_.commits;
            stats_.readings += in_flight.size();
            in_flight_readings_ = 0;
            lock.unlock();
            if (failures_in_a_row > 0)
                logger_.info(component, "commit succeeded after " + std::to_string(failures_in_a_row) +
                                            " failed attempts");
            failures_in_a_row = 0;
            report_commit(*range);
            lock.lock();
            committed_batches_ = batches_after;
            in_flight.clear();
            done_.notify_all();
            continue;
        }
        // Count before logging, so whoever sees the log line sees the count too.
        ++failures_in_a_row;
        ++stats_.failures;
        const bool give_up = stopping_ && ++shutdown_failures >= options_.shutdown_attempts;
        const std::size_t stranded = in_flight.size() + queued_readings_;
        lock.unlock();
        logger_.error(component, "commit of " + std::to_string(in_flight.size()) + " readings failed" +
                                     (give_up ? ": " : ", will retry: ") + error);
        if (give_up)
            logger_.error(component, "giving up at shutdown: " + std::to_string(stranded) +
                                         " readings could not be committed and are lost");
        lock.lock();
        if (give_up) return;
        // Wait before retrying, but wake at once when asked to stop so shutdown does
        // not sit out a whole delay first.
        const bool was_stopping = stopping_;
        wake_.wait_for(lock, options_.retry_delay, [&] { return stopping_ != was_stopping; });
    }
}

void GroupCommitter::wait_until_due(std::unique_lock<std::mutex>& lock) {
    for (;;) {
        if (queued_.empty()) {
            if (stopping_) return;
            wake_.wait(lock);
            continue;
        }
        if (stopping_ || queued_readings_ >= options_.max_batch || flush_target_ > committed_batches_)
            return;
        const auto deadline = queued_.front().submitted + options_.interval;
        if (SteadyClock::now() >= deadline) return;
        wake_.wait_until(lock, deadline);
    }
}

std::vector<Reading> GroupCommitter::take_queued(std::uint64_t& batches_after) {
    // Whole batches, oldest first, up to max_batch readings (at least one batch), so a
    // backlog built up during failures is committed in bounded transactions.
    std::vector<Reading> out;
    std::uint64_t taken = 0;
    while (!queued_.empty()) {
        std::vector<Reading>& next = queued_.front().readings;
        if (!out.empty() && out.size() + next.size() > options_.max_batch) break;
        queued_readings_ -= next.size();
        if (out.empty()) out = std::move(next);
        else out.insert(out.end(), std::make_move_iterator(next.begin()), std::make_move_iterator(next.end()));
        queued_.pop_front();
        ++taken;
    }
    in_flight_readings_ = out.size();
    batches_after = committed_batches_ + taken;
    return out;
}

std::optional<SeqRange> GroupCommitter::try_commit(const std::vector<Reading>& readings, std::string& error) {
    try {
        return log_.append(readings);
    } catch (const std::exception& e) {
        // StoreError above all (busy, disk full, I/O); anything else is treated the same:
        // keep the readings and retry, never let it end the thread.
        error = e.what();
    }
    return std::nullopt;
}

void GroupCommitter::report_commit(SeqRange range) {
    if (!on_commit_) return;
    try {
        on_commit_(range);
    } catch (const std::exception& e) {
        // The readings are durable; a failing observer must not make us commit them twice.
        logger_.error(component, std::string("on_commit callback threw: ") + e.what());
    }
}

}  // namespace gridgate::store
