#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "gridgate/core/clock.hpp"
#include "gridgate/sim/served_log.hpp"
#include "gridgate/sim/served_log_format.hpp"

namespace gridgate::sim {

namespace {
// Write out early once this much is buffered, whatever the timer says.
constexpr std::size_t flush_threshold = 64 * 1024;
}  // namespace

ServedLogFile::ServedLogFile(boost::asio::any_io_executor executor, const std::string& path,
                             std::chrono::milliseconds flush_period)
    : file_(std::fopen(path.c_str(), "w")), path_(path), timer_(std::move(executor)), period_(flush_period) {
    if (file_ == nullptr) throw std::runtime_error("cannot open served log '" + path + "'");
    buffer_.reserve(2 * flush_threshold);
    schedule_flush();
}

ServedLogFile::~ServedLogFile() {
    *alive_ = false;
    close();
}

void ServedLogFile::record(std::string_view meter, std::uint8_t unit, const ServedRead& read) {
    if (file_ == nullptr) return;
    append_served_line(buffer_, SystemClock{}.now_utc_us(), meter, unit, read);
    if (buffer_.size() >= flush_threshold) flush();
}

void ServedLogFile::record_line(std::string_view line) {
    if (file_ == nullptr) return;
    buffer_.append(line);
    if (buffer_.size() >= flush_threshold) flush();
}

void ServedLogFile::flush() {
    if (file_ == nullptr || buffer_.empty()) return;
    const bool ok = std::fwrite(buffer_.data(), 1, buffer_.size(), file_) == buffer_.size() && std::fflush(file_) == 0;
    if (!ok && !write_failed_) {
        write_failed_ = true;
        std::fprintf(stderr, "error [metersim] served log '%s': write failed: %s\n", path_.c_str(), std::strerror(errno));
    }
    buffer_.clear();
}

void ServedLogFile::close() {
    timer_.cancel();
    flush();
    if (file_ != nullptr) std::fclose(file_);
    file_ = nullptr;
}

void ServedLogFile::schedule_flush() {
    timer_.expires_after(period_);
    timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        const auto still_alive = alive.lock();
        if (ec || !still_alive || !*still_alive || file_ == nullptr) return;
        flush();
        schedule_flush();
    });
}

}  // namespace gridgate::sim
