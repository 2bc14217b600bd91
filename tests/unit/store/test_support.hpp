#pragma once
// Helpers shared by the store tests: a private temporary directory, reading factories,
// and a raw SQLite connection for looking at (or tampering with) the file directly.
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/core/reading.hpp"

namespace gridgate::store::test {

// Generous bound for "this must happen": only guards against a hung test, never
// measures anything.
inline constexpr auto must_happen_within = std::chrono::seconds(30);

class TempDir {
public:
    TempDir() {
        static std::atomic<unsigned> counter{0};
        std::random_device random;
        path_ = std::filesystem::temp_directory_path() /
                ("gg-store-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
                 std::to_string(random()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string file(const std::string& name) const { return (path_ / name).string(); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

inline Reading make_reading(std::string meter, std::string point, TimestampUs ts, double value,
                            std::string unit = "kWh", std::uint32_t quality = quality::good,
                            Source source = Source::modbus_tcp) {
    Reading r;
    r.meter = std::move(meter);
    r.point = std::move(point);
    r.ts_us = ts;
    r.value = value;
    r.unit = std::move(unit);
    r.quality = quality;
    r.source = source;
    return r;
}

// n readings of one point, timestamps one second apart from ts0.
inline std::vector<Reading> series(const std::string& meter, const std::string& point, std::size_t n,
                                   TimestampUs ts0 = 1'700'000'000'000'000) {
    std::vector<Reading> out;
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(make_reading(meter, point, ts0 + static_cast<TimestampUs>(i) * 1'000'000,
                                   static_cast<double>(i) + 0.5));
    return out;
}

// Copies a golden file from tests/fixtures/store into dir; tests never open the original.
inline std::string copy_fixture(const TempDir& dir, const std::string& name) {
    const std::string target = dir.file(name);
    std::filesystem::copy_file(std::filesystem::path(GG_STORE_FIXTURES) / name, target);
    return target;
}

inline std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Keeps the lines logged; lets a test wait for one.
class RecordingLogger final : public Logger {
public:
    RecordingLogger() : Logger(LogLevel::debug) {}
    bool wait_for_line(const std::string& part) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, must_happen_within, [&] { return count_locked(part) > 0; });
    }
    bool contains(const std::string& part) { return count(part) > 0; }
    std::size_t count(const std::string& part) {
        std::lock_guard lock(mutex_);
        return count_locked(part);
    }

protected:
    void write_line(std::string_view line) override {
        {
            std::lock_guard lock(mutex_);
            lines_.emplace_back(line);
        }
        changed_.notify_all();
    }

private:
    std::size_t count_locked(const std::string& part) const {
        std::size_t n = 0;
        for (const auto& l : lines_)
            if (l.find(part) != std::string::npos) ++n;
        return n;
    }
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
};

// A second connection straight to the file, bypassing ReadingLog.
class RawDb {
public:
    explicit RawDb(const std::string& path) {
        if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("open " + path);
    }
    ~RawDb() { sqlite3_close(db_); }
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;

    void exec(const std::string& sql) {
        char* error = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
            std::string message = error != nullptr ? error : "?";
            sqlite3_free(error);
            throw std::runtime_error(sql + ": " + message);
        }
    }
    // First column of the first row, as text ("" when there is no row or it is NULL).
    std::string query_text(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
            throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
        std::string value;
        if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr)
            value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
        return value;
    }
    // First column of the first row, as an integer.
    std::int64_t query_int(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
            throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
        std::int64_t value = -1;
        if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
        return value;
    }

private:
    sqlite3* db_ = nullptr;
};

}  // namespace gridgate::store::test
