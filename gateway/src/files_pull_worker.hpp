#pragma once
// One meter's PQDIF pull (PqdifPuller runs one per meter, each on its own thread, so a
// dead meter only delays itself). A cycle connects, deletes on the meter what every file
// sink delivered (delete_after_forward), lists the PQDIF folder, updates the FIFO fill,
// and takes the files that settled; when the first listing left files to settle, it
// lists once more after `settle` within the same cycle. Downloads resume from the
// partial in <spool>/.staging/pull/<meter>/ (named by the remote size and mtime).
// The clock gives status times and the settle rule's ages; the waits themselves
// (interval, the pause before the second listing) are real time, so the puller wants
// the system clock, not a fake one.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "file_spool.hpp"
#include "files_pull_plan.hpp"
#include "pqdif_puller.hpp"

namespace gridgate::gateway {

class PullWorker {
public:
    PullWorker(PullTarget target, FileSpool& spool, store::FileIndex& index, const std::vector<std::string>& sinks,
               EventSink& events, const Clock& clock, Logger& logger);
    ~PullWorker();  // stop()
    PullWorker(const PullWorker&) = delete;
    PullWorker& operator=(const PullWorker&) = delete;

    const std::string& meter() const { return target_.meter; }
    void start();
    void stop();
    void wake_pull();
    void wake_delete();
    nlohmann::json status() const;

private:
    struct Status {
        TimestampUs connected_last = 0, last_pull = 0, last_ok = 0;
        std::string last_error;
        std::uint64_t files_taken = 0, bytes_taken = 0, pulls = 0, failures = 0, deleted_on_meter = 0;
        FifoFill fifo;
        bool fifo_warning = false;
    };

    void run();
    // True when the cycle reached the meter and finished (or was stopped).
    bool cycle();
    void delete_only();
    std::vector<store::FileRecord> deletable();
    void delete_delivered(files::SftpSession& session);
    SettleTracker::Result list_and_settle(files::SftpSession& session);
    void remove_stale_partials(const std::vector<files::RemoteEntry>& candidates);
    void update_fifo(const FifoFill& fill);
    // Takes the settled files, at most max_files_per_pull; true when some are left.
    bool take_ready(files::SftpSession& session, const std::vector<files::RemoteEntry>& ready);
    void take(files::SftpSession& session, const files::RemoteEntry& entry);
    // Sleeps until `until` on the clock, or stop(); false on stop.
    bool pause_until(SteadyTime until);
    void note_failure(const std::string& message);
    void note_ok();

    PullTarget target_;
    FileSpool& spool_;
    store::FileIndex& index_;
    const std::vector<std::string>& sinks_;
    EventSink& events_;
    const Clock& clock_;
    Logger& logger_;
    std::string component_;  // "pull <meter>"
    SettleTracker settle_;    // this worker's thread only

    std::thread thread_;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool pull_requested_ = false;
    bool delete_requested_ = false;
    Status status_;
    std::string logged_error_;     // the failure last logged (logged again only when it changes)
    bool intake_stop_logged_ = false;
};

}  // namespace gridgate::gateway
