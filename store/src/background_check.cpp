#include "gridgate/store/background_check.hpp"

#include <chrono>
#include <cstdio>

#include "json_text.hpp"

namespace gridgate::store {

namespace {
constexpr std::string_view component = "store";
}

std::string_view to_string(BackgroundCheck::State state) {
    switch (state) {
        case BackgroundCheck::State::waiting: return "waiting";
        case BackgroundCheck::State::running: return "running";
        case BackgroundCheck::State::ok: return "ok";
        case BackgroundCheck::State::failed: return "failed";
        case BackgroundCheck::State::not_run: return "not_run";
    }
    return "?";
}

BackgroundCheck::BackgroundCheck(ReadingLog& log, Logger& logger, Duration start_delay)
    : log_(log), logger_(logger), thread_([this, start_delay] { run(start_delay); }) {}

BackgroundCheck::~BackgroundCheck() {
    {
        std::lock_guard lock(mutex_);
        cancel_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
}

BackgroundCheck::Status BackgroundCheck::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

bool BackgroundCheck::wait_for(Duration timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
        return status_.state != State::waiting && status_.state != State::running;
    });
}

void BackgroundCheck::finish(State state, std::string problems, Duration took) {
    {
        std::lock_guard lock(mutex_);
        status_ = Status{state, std::move(problems), took};
    }
    changed_.notify_all();
}

void BackgroundCheck::run(Duration start_delay) {
    {
        std::unique_lock lock(mutex_);
        if (changed_.wait_for(lock, start_delay, [&] { return cancel_.load(); })) return;
        status_.state = State::running;
    }
    changed_.notify_all();
    const auto started = std::chrono::steady_clock::now();
    auto took = [&] { return std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - started); };
    std::string problems;
    try {
        problems = log_.check_integrity(&cancel_);
    } catch (const std::exception& e) {
        // Interrupted at shutdown, or the file could not be read: no verdict.
        if (!cancel_) logger_.warn(component, std::string("background integrity check could not run: ") + e.what());
        finish(State::not_run, e.what(), took());
        return;
    }
    const Duration elapsed = took();
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", std::chrono::duration<double>(elapsed).count());
    if (problems.empty()) {
        logger_.info(component, "background integrity check of " + log_.path() + ": ok (" + std::string(seconds) + " s)");
        finish(State::ok, {}, elapsed);
        return;
    }
    logger_.error(component, "background integrity check of " + log_.path() + " FAILED: " + problems +
                                 "; the next start will check it fully and move it aside if it is still damaged");
    try {
        JsonObject detail;
        detail.add("problems", problems).add("took_ms", static_cast<std::int64_t>(elapsed.count() / 1000));
        log_.append_audit(audit_kind::integrity_check_failed, detail.str());
        log_.request_full_check_at_open();
    } catch (const std::exception& e) {
        logger_.error(component, std::string("could not record the failed integrity check: ") + e.what());
    }
    finish(State::failed, problems, elapsed);
}

}  // namespace gridgate::store
