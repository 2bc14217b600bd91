#include "files_pull_worker.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <set>

#include "files_fs.hpp"

namespace gridgate::gateway {

namespace fs = std::filesystem;

namespace {

nlohmann::json iso_or_null(TimestampUs ts) {
    return ts == 0 ? nlohmann::json(nullptr) : nlohmann::json(format_iso8601_utc(ts));
}

}  // namespace

PullWorker::PullWorker(PullTarget target, FileSpool& spool, store::FileIndex& index,
                       const std::vector<std::string>& sinks, EventSink& events, const Clock& clock, Logger& logger)
    : target_(std::move(target)), spool_(spool), index_(index), sinks_(sinks), events_(events), clock_(clock),
      logger_(logger), component_("pull " + target_.meter), settle_(target_.config.settle) {}

PullWorker::~PullWorker() { stop(); }

void PullWorker::start() {
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void PullWorker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void PullWorker::wake_pull() {
    {
        std::lock_guard lock(mutex_);
        pull_requested_ = true;
    }
    wake_.notify_all();
}

void PullWorker::wake_delete() {
    {
        std::lock_guard lock(mutex_);
        delete_requested_ = true;
    }
    wake_.notify_all();
}

void PullWorker::run() {
    // A failed cycle is retried sooner than the interval: 5 s, doubling up to it.
    constexpr std::chrono::steady_clock::duration first_retry = std::chrono::seconds(5);
    auto retry = first_retry;
    auto next_pull = std::chrono::steady_clock::now();  // the first pull at start
    while (true) {
        bool pull = false;
        bool remove = false;
        {
            std::unique_lock lock(mutex_);
            wake_.wait_until(lock, next_pull, [&] {
                return stopping_.load() || pull_requested_ || delete_requested_ ||
                       std::chrono::steady_clock::now() >= next_pull;
            });
            if (stopping_) return;
            pull = pull_requested_ || std::chrono::steady_clock::now() >= next_pull;
            remove = delete_requested_;
            pull_requested_ = delete_requested_ = false;
        }
        if (pull) {
            const auto started = std::chrono::steady_clock::now();
            const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                target_.config.interval);
            if (cycle()) {  // deletes too
                next_pull = started + interval;
                retry = first_retry;
            } else {
                next_pull = std::chrono::steady_clock::now() + std::min(retry, interval);
                retry = std::min(retry * 2, interval);
            }
        } else if (remove) {
            delete_only();
        }
    }
}

bool PullWorker::cycle() {
    {
        std::lock_guard lock(mutex_);
        ++status_.pulls;
        status_.last_pull = clock_.now_utc_us();
    }
    try {
        files::SftpSession session(target_.endpoint, logger_, target_.meter);
        {
            std::lock_guard lock(mutex_);
            status_.connected_last = clock_.now_utc_us();
        }
        delete_delivered(session);
        auto listing = list_and_settle(session);
        bool more = take_ready(session, listing.ready);
        // New or changed files need a second listing; take it now rather than an
        // interval later. A file still growing then waits for the next cycle.
        if (listing.waiting && !more && pause_until(listing.next_ready)) {
            listing = list_and_settle(session);
            more = take_ready(session, listing.ready);
        }
        if (stopping_) return true;
        note_ok();
        if (more) wake_pull();  // a backlog beyond max_files_per_pull: go on at once
        return true;
    } catch (const files::SshError& e) {
        if (e.kind() == files::SshErrorKind::cancelled) return true;
        note_failure(std::string(files::to_string(e.kind())) + ": " + e.what());
        return false;
    } catch (const std::exception& e) {
        note_failure(e.what());
        return false;
    }
}

SettleTracker::Result PullWorker::list_and_settle(files::SftpSession& session) {
    const auto& config = target_.config;
    std::uint64_t remote_files = 0, remote_bytes = 0, untaken_bytes = 0;
    std::vector<files::RemoteEntry> candidates;
    for (auto& entry : session.list(config.directory)) {
        if (!entry.regular || !files_fs::is_plain_name(entry.name)) continue;
        if (::fnmatch(config.pattern.c_str(), entry.name.c_str(), FNM_PERIOD) != 0) continue;
        ++remote_files;
        remote_bytes += entry.size;
        if (index_.find(target_.meter, entry.name)) continue;
        untaken_bytes += entry.size;
        candidates.push_back(std::move(entry));
    }
    update_fifo(assess_fifo(remote_files, remote_bytes, candidates.size(), untaken_bytes, config.capacity_bytes,
                            config.warn_fill, config.delete_after_forward));
    remove_stale_partials(candidates);
    return settle_.observe(candidates, clock_.steady_now());
}

void PullWorker::remove_stale_partials(const std::vector<files::RemoteEntry>& candidates) {
    const fs::path dir = spool_.pull_partial_dir(target_.meter);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return;
    std::set<std::string> current;
    for (const auto& c : candidates) current.insert(partial_file_name(c));
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (current.count(name) != 0) continue;
        logger_.debug(component_, "removing stale partial download " + name);
        files_fs::remove_file(entry.path());
    }
}

void PullWorker::update_fifo(const FifoFill& fill) {
    bool was_warning = false;
    {
        std::lock_guard lock(mutex_);
        status_.fifo = fill;
        was_warning = status_.fifo_warning;
    }
    if (fill.warn == was_warning) return;
    const char* kind = fill.warn ? "pqdif_fifo_warning" : "pqdif_fifo_ok";
    const nlohmann::json detail = {{"meter", target_.meter},
                                   {"remote_bytes", fill.remote_bytes},
                                   {"capacity", target_.config.capacity_bytes},
                                   {"fill", fill.fill},
                                   {"untaken_files", fill.untaken_files}};
    try {
        events_.record_event(kind, detail.dump());
    } catch (const std::exception& e) {
        // The state stays as it was, so the next listing tries the event again.
        logger_.warn(component_, std::string("could not record ") + kind + ": " + e.what());
        return;
    }
    {
        std::lock_guard lock(mutex_);
        status_.fifo_warning = fill.warn;
    }
    const std::string figures = std::to_string(fill.remote_bytes) + " of " +
                                std::to_string(target_.config.capacity_bytes) + " bytes, " +
                                std::to_string(fill.untaken_files) + " files not taken";
    if (fill.warn)
        logger_.warn(component_, "the meter's PQDIF storage is filling (" + figures +
                                     "): its FIFO may overwrite files the gateway has not taken");
    else
        logger_.info(component_, "the meter's PQDIF storage is below the warning level again (" + figures + ")");
}

bool PullWorker::take_ready(files::SftpSession& session, const std::vector<files::RemoteEntry>& ready) {
    std::size_t taken = 0;
    for (const auto& entry : ready) {
        if (stopping_) return false;
        if (taken >= target_.config.max_files_per_pull) return true;
        if (spool_.intake_stopped()) {
            if (!intake_stop_logged_)
                logger_.warn(component_, "spool intake stopped (quota): files left on the meter for now");
            intake_stop_logged_ = true;
            return false;
        }
        intake_stop_logged_ = false;
        take(session, entry);
        ++taken;
    }
    return false;
}

bool PullWorker::pause_until(SteadyTime until) {
    const auto remaining = until - clock_.steady_now();
    std::unique_lock lock(mutex_);
    if (remaining > Duration::zero())
        wake_.wait_for(lock, remaining, [&] { return stopping_.load(); });
    return !stopping_;
}

void PullWorker::note_failure(const std::string& message) {
    std::lock_guard lock(mutex_);
    ++status_.failures;
    status_.last_error = message;
    if (message != logged_error_) logger_.warn(component_, "pull failed: " + message);
    logged_error_ = message;
}

void PullWorker::note_ok() {
    std::lock_guard lock(mutex_);
    status_.last_ok = clock_.now_utc_us();
    status_.last_error.clear();
    if (!logged_error_.empty()) logger_.info(component_, "pull works again");
    logged_error_.clear();
}

nlohmann::json PullWorker::status() const {
    std::lock_guard lock(mutex_);
    const auto& s = status_;
    return {{"meter", target_.meter},
            {"host", target_.endpoint.host},
            {"connected_last", iso_or_null(s.connected_last)},
            {"last_pull", iso_or_null(s.last_pull)},
            {"last_ok", iso_or_null(s.last_ok)},
            {"last_error", s.last_error},
            {"files_taken", s.files_taken},
            {"bytes_taken", s.bytes_taken},
            {"pulls", s.pulls},
            {"failures", s.failures},
            {"remote_files", s.fifo.remote_files},
            {"remote_bytes", s.fifo.remote_bytes},
            {"untaken_files", s.fifo.untaken_files},
            {"untaken_bytes", s.fifo.untaken_bytes},
            {"fill", s.fifo.fill},
            {"fifo_warning", s.fifo_warning},
            {"deleted_on_meter", s.deleted_on_meter}};
}

}  // namespace gridgate::gateway
