#pragma once
// A Logger that keeps every line it writes (and still prints them to stderr, so a failing
// test shows its history), for tests that check what a component logged.
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/log.hpp"

namespace gridgate::testing {

class RecordingLogger final : public Logger {
public:
    explicit RecordingLogger(LogLevel level = LogLevel::info, bool echo_to_stderr = true)
        : Logger(level), echo_(echo_to_stderr) {}

    std::vector<std::string> lines() const;
    // Number of lines containing `text` (e.g. "[mqtt] connected").
    std::size_t count(std::string_view text) const;

protected:
    void write_line(std::string_view line) override;

private:
    mutable std::mutex lines_mutex_;
    std::vector<std::string> lines_;
    bool echo_;
};

}  // namespace gridgate::testing
