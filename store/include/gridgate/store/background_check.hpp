#pragma once
// The full integrity check of a store, run once on its own thread after the daemon has
// started. Opening only runs a cheap check (the full one takes seconds on a 1 GB file,
// longer than the restart target); this finds the rest. A failure is logged, written to
// the audit log (integrity_check_failed), shown by status(), and marks the file so the
// next start runs the full check first and, if it fails again, moves the file aside.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "gridgate/core/log.hpp"
#include "gridgate/store/reading_log.hpp"

namespace gridgate::store {

class BackgroundCheck {
public:
    enum class State { waiting, running, ok, failed, not_run };
    struct Status {
        State state = State::waiting;
        std::string problems;  // failed: what quick_check reported; not_run: why it could not run
        Duration took{};
    };

    // start_delay lets the daemon's own start (the sinks reading their backlog) go first.
    BackgroundCheck(ReadingLog& log, Logger& logger, Duration start_delay = std::chrono::seconds(10));
    ~BackgroundCheck();  // interrupts a check in progress and joins
    BackgroundCheck(const BackgroundCheck&) = delete;
    BackgroundCheck& operator=(const BackgroundCheck&) = delete;

    Status status() const;
    // Waits until the check has finished (ok, failed or not_run); false on timeout.
    bool wait_for(Duration timeout) const;

private:
    void run(Duration start_delay);
    void finish(State state, std::string problems, Duration took);

    ReadingLog& log_;
    Logger& logger_;
    std::atomic<bool> cancel_{false};
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    Status status_;
    std::thread thread_;  // last: starts after everything above is initialised
};

std::string_view to_string(BackgroundCheck::State state);

}  // namespace gridgate::store
