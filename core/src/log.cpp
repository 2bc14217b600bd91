#include "gridgate/core/log.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "gridgate/core/hex.hpp"

namespace gridgate {

bool parse_log_level(std::string_view text, LogLevel& out) {
    static constexpr std::pair<std::string_view, LogLevel> table[] = {
        {"trace", LogLevel::trace}, {"debug", LogLevel::debug}, {"info", LogLevel::info},
        {"warn", LogLevel::warn},   {"error", LogLevel::error}, {"off", LogLevel::off}};
    for (const auto& [name, level] : table)
        if (name == text) {
            out = level;
            return true;
        }
    return false;
}

std::string_view to_string(LogLevel level) {
    switch (level) {
        case LogLevel::trace: return "trace";
        case LogLevel::debug: return "debug";
        case LogLevel::info: return "info";
        case LogLevel::warn: return "warn";
        case LogLevel::error: return "error";
        case LogLevel::off: return "off";
    }
    return "?";
}

Logger::Logger(LogLevel level) : level_(level) {}

void Logger::set_level(LogLevel level) {
    std::lock_guard lock(mutex_);
    level_ = level;
}

LogLevel Logger::level() const {
    std::lock_guard lock(mutex_);
    return level_;
}

bool Logger::enabled(LogLevel level) const { return level >= this->level() && level != LogLevel::off; }

void Logger::set_trace(const std::string& meter, bool on) {
    std::lock_guard lock(mutex_);
    if (on) traced_.insert(meter);
    else traced_.erase(meter);
}

bool Logger::trace_enabled(std::string_view meter) const {
    std::lock_guard lock(mutex_);
    return traced_.find(meter) != traced_.end();
}

void Logger::trace_frame(std::string_view meter, std::string_view direction, std::span<const std::byte> frame) {
    if (!trace_enabled(meter)) return;
    std::string line = "trace [";
    line.append(meter).append("] ").append(direction).append(" ").append(to_hex(frame));
    write_line(line);
}

void Logger::log(LogLevel level, std::string_view component, std::string_view message) {
    if (!enabled(level)) return;
    std::string line;
    line.reserve(component.size() + message.size() + 16);
    line.append(to_string(level)).append(" [").append(component).append("] ").append(message);
    write_line(line);
}

void Logger::write_line(std::string_view line) {
    std::string out(line);
    out.push_back('\n');
    // One write per line keeps lines whole when several threads log at once.
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, out.data(), out.size());
}

namespace {
class NullLogger final : public Logger {
public:
    NullLogger() : Logger(LogLevel::off) {}

protected:
    void write_line(std::string_view) override {}
};
}  // namespace

Logger& null_logger() {
    static NullLogger logger;
    return logger;
}

}  // namespace gridgate
