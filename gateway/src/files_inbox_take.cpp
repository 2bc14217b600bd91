// When a pushed file is complete, and how it moves into the spool. A rename into the
// inbox (IN_MOVED_TO) is the pusher saying "complete". A close after writing is complete
// only if the file is a well-formed PQDIF: a push cut mid-way also closes the file, so
// a file that is not well formed waits until it has not changed for `settle` and is
// then taken anyway, flagged malformed by the spool (a broken recording is still kept).
// The move is a hard link into the spool's staging folder (a copy across filesystems),
// so the inbox keeps the file until the spool has indexed it; a crash in between leaves
// it in the inbox and the spool's duplicate check makes the second take harmless.
#include <sys/stat.h>

#include <algorithm>

#include "files_fs.hpp"
#include "files_inbox_state.hpp"
#include "gridgate/files/pqdif.hpp"

namespace gridgate::gateway {

namespace fs = std::filesystem;

namespace {

constexpr const char* kComponent = "inbox";

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct FileStat {
    bool regular = false;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
};

FileStat stat_file(const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
    return {true, static_cast<std::uint64_t>(st.st_size),
            static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

}  // namespace

bool InboxWatcher::Impl::ignored_name(const std::string& name) {
    return name.empty() || name.front() == '.' || ends_with(name, ".part") || ends_with(name, ".tmp") ||
           ends_with(name, ".filepart");
}

bool InboxWatcher::Impl::well_formed(const fs::path& path) const {
    try {
        return files::check_pqdif(files_fs::read_all(path)).well_formed;
    } catch (const std::exception&) {
        return false;  // unreadable now: treated as incomplete, looked at again later
    }
}

void InboxWatcher::Impl::wait_for(Inbox& inbox, const std::string& name) {
    const FileStat st = stat_file(inbox.target.directory / name);
    if (!st.regular) {
        inbox.waiting.erase(name);
        return;
    }
    const SteadyTime now = clock.steady_now();
    inbox.waiting[name] = {st.size, st.mtime_ns, now};
}

void InboxWatcher::Impl::on_event(Inbox& inbox, const std::string& name, bool moved) {
    if (ignored_name(name)) return;
    if (moved || well_formed(inbox.target.directory / name)) {
        take(inbox, name);
        return;
    }
    wait_for(inbox, name);
}

void InboxWatcher::Impl::scan(Inbox& inbox) {
    std::error_code ec;
    if (!fs::is_directory(inbox.target.directory, ec)) return;
    std::vector<std::string> present;
    for (const auto& entry : fs::directory_iterator(inbox.target.directory, ec)) {
        const std::string name = entry.path().filename().string();
        if (!ignored_name(name)) present.push_back(name);
    }
    std::erase_if(inbox.waiting, [&](const auto& w) {
        return std::find(present.begin(), present.end(), w.first) == present.end();
    });
    const SteadyTime now = clock.steady_now();
    for (const auto& name : present) {
        const FileStat st = stat_file(inbox.target.directory / name);
        if (!st.regular) continue;
        const auto it = inbox.waiting.find(name);
        if (it == inbox.waiting.end()) {
            // Arrived while the daemon was down, or its event was lost.
            on_event(inbox, name, false);
        } else if (it->second.size != st.size || it->second.mtime_ns != st.mtime_ns) {
            it->second = {st.size, st.mtime_ns, now};  // still being written
        } else if (now - it->second.first_seen >= inbox.target.settle) {
            take(inbox, name);
        }
    }
}

bool InboxWatcher::Impl::take(Inbox& inbox, const std::string& name) {
    const fs::path source = inbox.target.directory / name;
    if (spool.intake_stopped()) {
        if (!intake_stop_logged) logger.warn(kComponent, "spool intake stopped (quota): pushed files wait in the inboxes");
        intake_stop_logged = true;
        wait_for(inbox, name);
        return false;
    }
    intake_stop_logged = false;
    const FileStat st = stat_file(source);
    if (!st.regular) {
        inbox.waiting.erase(name);
        return false;
    }
    fs::path staged;
    try {
        staged = spool.new_staging_path(inbox.target.meter + "-" + name);
        if (!files_fs::link_or_copy(source, staged)) {
            inbox.waiting.erase(name);
            return false;
        }
        SpoolIntake intake;
        intake.meter = inbox.target.meter;
        intake.name = name;
        intake.source = "push_inbox";
        intake.meter_mtime_s = st.mtime_ns / 1'000'000'000;
        intake.staged = staged;
        const SpoolAdmit admitted = spool.admit(intake);
        files_fs::remove_file(source);
        files_fs::fsync_dir(inbox.target.directory);
        inbox.waiting.erase(name);
        ++inbox.files_taken;
        if (!admitted.well_formed) ++inbox.malformed_taken;
        inbox.last_taken = clock.now_utc_us();
        inbox.logged_error.clear();
        return true;
    } catch (const std::exception& e) {
        std::error_code ignored;
        if (!staged.empty()) fs::remove(staged, ignored);
        const std::string message = std::string("could not take ") + name + ": " + e.what();
        if (message != inbox.logged_error) logger.warn(kComponent, "meter '" + inbox.target.meter + "': " + message);
        inbox.logged_error = message;
        wait_for(inbox, name);  // tried again after settle
        return false;
    }
}

}  // namespace gridgate::gateway
