#pragma once
// Polling helper for tests that wait on another process or thread. Tests assert on the
// returned bool (the condition), never on how long it took.
#include <chrono>
#include <thread>

namespace gridgate::testing {

// Calls `condition` until it returns true or `timeout` elapses; returns its last result.
// `poll` is the pause between calls. The timeout is a safety net for a broken test, so
// pick it generously (seconds), not as a performance bound.
template <class Condition>
bool wait_until(Condition&& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll = std::chrono::milliseconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return condition();
        std::this_thread::sleep_for(poll);
    }
}

}  // namespace gridgate::testing
