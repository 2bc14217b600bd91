#include "gridgate/testing/recording_logger.hpp"

namespace gridgate::testing {

std::vector<std::string> RecordingLogger::lines() const {
    std::lock_guard lock(lines_mutex_);
    return lines_;
}

std::size_t RecordingLogger::count(std::string_view text) const {
    std::lock_guard lock(lines_mutex_);
    std::size_t n = 0;
    for (const auto& line : lines_)
        if (line.find(text) != std::string::npos) ++n;
    return n;
}

void RecordingLogger::write_line(std::string_view line) {
    {
        std::lock_guard lock(lines_mutex_);
        lines_.emplace_back(line);
    }
    if (echo_) Logger::write_line(line);
}

}  // namespace gridgate::testing
