#include "gridgate/sim/pqdif_recorder.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <system_error>

#include "gridgate/files/pqdif_name.hpp"

namespace gridgate::sim {

namespace fs = std::filesystem;

namespace {

constexpr Duration default_spacing = std::chrono::minutes(1);

std::runtime_error io_error(const std::string& what, const fs::path& path, int error) {
    return std::runtime_error(what + " " + path.string() + ": " + std::strerror(error));
}

// Writes `bytes` to `path`, creating or truncating it, or appending to it; throws on error.
void write_file(const fs::path& path, std::span<const std::byte> bytes, bool append) {
    const int flags = O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_CREAT | O_TRUNC);
    const int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) throw io_error(append ? "cannot reopen" : "cannot create", path, errno);
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int error = errno;
            ::close(fd);
            throw io_error("cannot write", path, error);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) throw io_error("cannot write", path, errno);
}

}  // namespace

struct PqdifRecorder::PendingWrite {
    PendingWrite(boost::asio::any_io_executor executor, std::string n, std::vector<std::byte> b, std::size_t written)
        : name(std::move(n)), bytes(std::move(b)), offset(written), timer(std::move(executor)) {}
    std::string name;
    std::vector<std::byte> bytes;
    std::size_t offset;  // bytes already in the file
    boost::asio::steady_timer timer;
};

PqdifRecorder::PqdifRecorder(boost::asio::any_io_executor executor, PqdifRecorderOptions options, const Clock& clock,
                             Logger& logger)
    : executor_(executor), options_(std::move(options)), clock_(clock), logger_(logger), period_(executor) {
    if (options_.types.empty()) options_.types = default_pqdif_types();
}

PqdifRecorder::~PqdifRecorder() { stop(); }

std::size_t PqdifRecorder::writes_in_progress() const { return pending_.size(); }

void PqdifRecorder::start() {
    std::error_code ec;
    fs::create_directories(options_.dir, ec);
    if (ec) throw std::runtime_error("cannot create PQDIF folder " + options_.dir + ": " + ec.message());
    const Duration spacing = options_.every > Duration::zero() ? options_.every : default_spacing;
    const TimestampUs now = clock_.now_utc_us();
    const auto n = static_cast<TimestampUs>(options_.initial_files);
    for (TimestampUs i = 0; i < n; ++i)
        write_recording(next_type(), unique_time(now - (n - i) * spacing.count()), Duration::zero());
    enforce_capacity();
    arm_period();
}

void PqdifRecorder::stop() {
    if (stopped_) return;
    stopped_ = true;
    period_.cancel();
    while (!pending_.empty()) {
        pending_.front().timer.cancel();
        finish(pending_.begin());
    }
}

void PqdifRecorder::arm_period() {
    if (options_.every <= Duration::zero() || stopped_) return;
    period_.expires_after(options_.every);
    period_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        try {
            make(std::nullopt, 1);
        } catch (const std::exception& e) {
            logger_.warn("metersim", std::string("PQDIF recording failed: ") + e.what());
        }
        arm_period();
    });
}

std::vector<std::string> PqdifRecorder::make(std::optional<PqdifRecordingType> type, std::size_t count) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < count; ++i) {
        Duration write_time = options_.write_time;
        if (next_write_time_) {
            write_time = *next_write_time_;
            next_write_time_.reset();
        }
        names.push_back(write_recording(type ? *type : next_type(), unique_time(clock_.now_utc_us()), write_time));
    }
    enforce_capacity();
    return names;
}

void PqdifRecorder::grow_next(Duration write_time) { next_write_time_ = write_time; }

PqdifRecordingType PqdifRecorder::next_type() {
    const PqdifRecordingType type = options_.types[next_type_ % options_.types.size()];
    ++next_type_;
    return type;
}

// Two recordings never share a name, even when made in the same microsecond.
TimestampUs PqdifRecorder::unique_time(TimestampUs wanted) {
    last_event_us_ = std::max(wanted, last_event_us_ + 1);
    return last_event_us_;
}

std::string PqdifRecorder::write_recording(const PqdifRecordingType& type, TimestampUs event_us,
                                           Duration write_time) {
    const PqdifRecording recording = plan_pqdif_recording(options_.recording, type, event_us);
    std::vector<std::byte> bytes = render_pqdif_recording(recording);
    const fs::path path = fs::path(options_.dir) / recording.name;
    ++stats_.made;
    const bool slow = write_time > Duration::zero() && !stopped_ && bytes.size() > 1;
    const std::size_t first = slow ? bytes.size() / 2 : bytes.size();
    try {
        write_file(path, std::span(bytes).first(first), false);
    } catch (...) {
        ++stats_.write_errors;
        throw;
    }
    if (!slow) {
        ++stats_.completed;
        return recording.name;
    }
    auto write = pending_.emplace(pending_.end(), executor_, recording.name, std::move(bytes), first);
    write->timer.expires_after(write_time);
    write->timer.async_wait([this, write](const boost::system::error_code& ec) {
        if (ec == boost::asio::error::operation_aborted) return;  // stop() finished it
        finish(write);
        enforce_capacity();
    });
    return recording.name;
}

void PqdifRecorder::finish(std::list<PendingWrite>::iterator write) {
    const fs::path path = fs::path(options_.dir) / write->name;
    try {
        write_file(path, std::span(write->bytes).subspan(write->offset), true);
        ++stats_.completed;
    } catch (const std::exception& e) {
        // Someone deleted or replaced the file mid-write; the meter would not notice either.
        ++stats_.write_errors;
        logger_.warn("metersim", std::string("PQDIF write not finished: ") + e.what());
    }
    pending_.erase(write);
}

std::vector<PqdifFolderEntry> PqdifRecorder::list() const {
    std::vector<PqdifFolderEntry> entries;
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(options_.dir, ec)) {
        std::error_code entry_ec;
        if (!e.is_regular_file(entry_ec)) continue;
        const std::string name = e.path().filename().string();
        if (!files::parse_pqdif_name(name)) continue;
        const std::uintmax_t size = e.file_size(entry_ec);
        if (entry_ec) continue;  // deleted meanwhile
        entries.push_back(PqdifFolderEntry{name, size});
    }
    std::sort(entries.begin(), entries.end(), [](const PqdifFolderEntry& a, const PqdifFolderEntry& b) {
        const TimestampUs ta = files::parse_pqdif_name(a.name)->time_us();
        const TimestampUs tb = files::parse_pqdif_name(b.name)->time_us();
        return ta != tb ? ta < tb : a.name < b.name;
    });
    return entries;
}

void PqdifRecorder::enforce_capacity() {
    if (options_.capacity_bytes == 0) return;
    std::vector<std::string> busy;
    for (const PendingWrite& write : pending_) busy.push_back(write.name);
    for (const std::string& name : plan_pqdif_fifo(list(), options_.capacity_bytes, busy)) {
        std::error_code ec;
        if (fs::remove(fs::path(options_.dir) / name, ec)) {
            ++stats_.deleted;
            logger_.debug("metersim", "PQDIF FIFO deleted " + name);
        }
    }
}

}  // namespace gridgate::sim
