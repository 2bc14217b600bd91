#pragma once
// Picks up files that meters push (SCP/SFTP) into their inbox folders: on inotify
// IN_MOVED_TO (an atomic rename into the folder) or IN_CLOSE_WRITE of a file whose PQDIF
// check passes, it is taken into the spool at once; a file closed but not well formed
// (a push cut mid-way leaves a truncated file) is taken only after it has not changed
// for `settle`, flagged malformed. A scan at start and every `settle` catches files that
// arrived while the daemon was down. Names beginning with '.' or ending in .part, .tmp
// or .filepart are in-progress uploads and are ignored. Taken files are removed from
// the inbox after the spool indexed them. One thread for all inboxes.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gridgate/core/clock.hpp"
#include "gridgate/core/log.hpp"

namespace gridgate::gateway {

class FileSpool;

struct InboxTarget {
    std::string meter;
    std::filesystem::path directory;  // created if missing
    Duration settle = std::chrono::seconds(5);
};

class InboxWatcher {
public:
    InboxWatcher(std::vector<InboxTarget> targets, FileSpool& spool, const Clock& clock, Logger& logger);
    ~InboxWatcher();  // stop()
    InboxWatcher(const InboxWatcher&) = delete;
    InboxWatcher& operator=(const InboxWatcher&) = delete;

    void start();  // throws std::runtime_error when inotify cannot watch a folder
    void stop();
    // {"inboxes":[{"meter","directory","files_taken","last_taken","malformed_taken","waiting"}]}
    std::string status_json() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridgate::gateway
