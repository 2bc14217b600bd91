#pragma once
// SftpForwarder's state. One worker thread does everything slow (spool index reads,
// libssh calls, delivery records) without holding the mutex; the mutex guards only the
// stats and the wake-up flag that other threads touch.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "gridgate/core/backoff.hpp"
#include "gridgate/northbound/sftp_forwarder.hpp"

namespace gridgate::northbound {

using SteadyClock = std::chrono::steady_clock;

// The local copy of a file about to be delivered, as read from the spool's disk.
struct LocalCopy {
    std::uint64_t size = 0;
    std::string sha256;
};

struct SftpForwarder::Impl {
    Impl(SftpSinkOptions options, FileOutbox& outbox, const Clock& clock, Logger& logger);

    const SftpSinkOptions options;
    FileOutbox& outbox;
    const Clock& clock;
    Logger& logger;

    std::thread thread;
    std::atomic<bool> stop_requested{false};
    mutable std::mutex mutex;
    std::condition_variable wakeup;
    bool woken = false;    // notify_new_files() since the worker last looked
    SftpSinkStats stats;   // under mutex

    // --- worker thread only ---
    std::unique_ptr<files::SftpSession> session;
    std::set<std::string> made_dirs;  // remote folders known to exist in this session
    SteadyClock::time_point last_activity{};
    std::uint64_t after_id = 0;       // files up to here are delivered or skipped in this run
    Backoff backoff;
    std::string logged_cause;         // what the last logged error was about, to log each cause once
    std::string logged_error;         // and its text

    // sftp_worker.cpp
    void run();
    void wake();
    bool in_window() const;
    void set_in_window(bool inside);
    void idle(Duration longest);
    void wait_backoff(Duration delay);
    void attempt(const SpooledFile& file);
    void on_failure(const std::string& error, const std::string& cause, bool drop_session);
    void on_success();
    files::SftpSession& ensure_session();
    void close_session(const char* why);

    // sftp_delivery.cpp
    void deliver(const SpooledFile& file);
    std::optional<LocalCopy> read_local_copy(const SpooledFile& file);
    void ensure_dirs(const std::string& final_path);
    bool already_in_place(const std::string& final_path, const std::string& temp_path, const LocalCopy& local);
    void upload_to_temp(const SpooledFile& file, const std::string& temp_path, const LocalCopy& local);
    void confirm_final(const std::string& temp_path, const std::string& final_path, const LocalCopy& local);
    void record_delivery(const SpooledFile& file, const std::string& final_path);
    files::TransferControl control(bool uploading);
    void skip(const SpooledFile& file, const std::string& why, bool is_error);
};

}  // namespace gridgate::northbound
