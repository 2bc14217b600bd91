#pragma once
// Logging with levels and per-meter protocol traces. Thread-safe; writes one line per
// message to stderr (journald adds its own timestamps when run under systemd).
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>

namespace gridgate {

enum class LogLevel { trace = 0, debug, info, warn, error, off };

bool parse_log_level(std::string_view text, LogLevel& out);
std::string_view to_string(LogLevel level);

class Logger {
public:
    explicit Logger(LogLevel level = LogLevel::info);
    virtual ~Logger() = default;

    void set_level(LogLevel level);
    LogLevel level() const;
    bool enabled(LogLevel level) const;

    // Per-meter hex traces of protocol traffic, off unless switched on for that meter.
    void set_trace(const std::string& meter, bool on);
    bool trace_enabled(std::string_view meter) const;
    void trace_frame(std::string_view meter, std::string_view direction, std::span<const std::byte> frame);

    void log(LogLevel level, std::string_view component, std::string_view message);
    void debug(std::string_view component, std::string_view message) { log(LogLevel::debug, component, message); }
    void info(std::string_view component, std::string_view message) { log(LogLevel::info, component, message); }
    void warn(std::string_view component, std::string_view message) { log(LogLevel::warn, component, message); }
    void error(std::string_view component, std::string_view message) { log(LogLevel::error, component, message); }

protected:
    virtual void write_line(std::string_view line);

private:
    mutable std::mutex mutex_;
    LogLevel level_;
    std::set<std::string, std::less<>> traced_;
};

// A logger that discards everything; for tests and tools.
Logger& null_logger();

}  // namespace gridgate
