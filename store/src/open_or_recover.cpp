#include "gridgate/store/open_or_recover.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <system_error>

#include "json_text.hpp"

namespace gridgate::store {

namespace {

constexpr std::string_view component = "store";

std::string compact_utc(TimestampUs ts) {
    const std::time_t seconds = static_cast<std::time_t>(ts / 1'000'000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &tm);
    return text;
}

bool exists(const std::string& path) {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
}

// <path>.corrupt-<UTC>, with -2, -3... if an earlier recovery took that name this second.
std::string aside_name(const std::string& path, TimestampUs now) {
    const std::string base = path + ".corrupt-" + compact_utc(now);
    std::string name = base;
    for (int n = 2; exists(name) || exists(name + "-wal") || exists(name + "-shm"); ++n)
        name = base + "-" + std::to_string(n);
    return name;
}

// Renames the file and its WAL and shared-memory index together, so the set can still be
// opened (sqlite3 <moved_to>) for forensics or salvage.
std::vector<std::string> move_aside(const std::string& path, const std::string& target) {
    std::vector<std::string> moved;
    for (const char* suffix : {"", "-wal", "-shm"}) {
        const std::string from = path + suffix;
        if (!exists(from)) continue;
        std::error_code ec;
        std::filesystem::rename(from, target + suffix, ec);
        if (ec)
            throw StoreError("cannot move corrupt database " + from + " aside to " + target + suffix + ": " +
                                 ec.message(),
                             StoreErrorKind::io);
        moved.push_back(target + suffix);
    }
    return moved;
}

std::uint64_t size_of(const std::string& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : static_cast<std::uint64_t>(size);
}

}  // namespace

OpenedStore open_or_recover(const ReadingLogOptions& options, Logger& logger) {
    const SystemClock clock;
    return open_or_recover(options, logger, clock);
}

OpenedStore open_or_recover(const ReadingLogOptions& options, Logger& logger, const Clock& clock) {
    const auto started = clock.steady_now();
    OpenedStore out;
    try {
        out.log = std::make_unique<ReadingLog>(options);
        out.report.open_time = std::chrono::duration_cast<Duration>(clock.steady_now() - started);
        return out;
    } catch (const StoreError& e) {
        if (e.kind() != StoreErrorKind::corrupt) throw;  // newer version, I/O: not ours to cure
        out.report.reason = e.what();
    }
    // Every connection to the bad file is closed by now (the constructor unwound).
    const TimestampUs now = clock.now_utc_us();
    const std::uint64_t bytes = size_of(options.path);
    out.report.recovered = true;
    out.report.moved_to = aside_name(options.path, now);
    out.report.moved_files = move_aside(options.path, out.report.moved_to);
    logger.error(component, out.report.reason);
    logger.error(component, "moved the damaged store aside to " + out.report.moved_to +
                                " (kept, not deleted) and started a fresh store at " + options.path);

    out.log = std::make_unique<ReadingLog>(options);
    JsonObject detail;
    detail.add("reason", out.report.reason).add("moved_to", out.report.moved_to).add("file_bytes", bytes);
    out.log->append_audit(audit_kind::store_recovered, detail.str(), now);
    out.report.open_time = std::chrono::duration_cast<Duration>(clock.steady_now() - started);
    return out;
}

}  // namespace gridgate::store
