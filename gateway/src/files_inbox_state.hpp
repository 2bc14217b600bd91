#pragma once
// InboxWatcher's inside (inbox_watcher.cpp runs the thread and inotify;
// files_inbox_take.cpp decides when a file is complete and moves it into the spool).
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "file_spool.hpp"
#include "inbox_watcher.hpp"

namespace gridgate::gateway {

struct InboxWatcher::Impl {
    struct Waiting {  // a file closed or found but not (yet) known complete
        std::uint64_t size = 0;
        std::int64_t mtime_ns = 0;
        SteadyTime first_seen{};
    };
    struct Inbox {
        InboxTarget target;
        int watch = -1;
        std::map<std::string, Waiting> waiting;
        std::uint64_t files_taken = 0;
        std::uint64_t malformed_taken = 0;
        TimestampUs last_taken = 0;
        std::string logged_error;  // the failure last logged (again only when it changes)
    };

    Impl(std::vector<InboxTarget> targets, FileSpool& spool, const Clock& clock, Logger& logger);

    // inbox_watcher.cpp: the thread: a scan at start and every settle (or when a waiting
    // file is due), inotify events in between, until a byte arrives on stop_pipe.
    void run();

    // files_inbox_take.cpp
    static bool ignored_name(const std::string& name);
    // After IN_MOVED_TO (moved = true: complete) or IN_CLOSE_WRITE (complete when well formed).
    void on_event(Inbox& inbox, const std::string& name, bool moved);
    // Files present (at start, every settle, after a queue overflow).
    void scan(Inbox& inbox);
    // Moves the file into the spool; false when it stays (gone, intake stopped, error).
    bool take(Inbox& inbox, const std::string& name);
    // (Re)starts the settle wait of a file (also a retry after intake stopped or an error).
    void wait_for(Inbox& inbox, const std::string& name);
    bool well_formed(const std::filesystem::path& path) const;

    FileSpool& spool;
    const Clock& clock;
    Logger& logger;
    std::vector<Inbox> inboxes;
    int inotify_fd = -1;
    int stop_pipe[2] = {-1, -1};
    std::thread thread;
    mutable std::mutex mutex;  // inboxes' counters and waiting maps, for status_json
    bool intake_stop_logged = false;
};

}  // namespace gridgate::gateway
