#include "inbox_watcher.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "files_fs.hpp"
#include "files_inbox_state.hpp"

namespace gridgate::gateway {

namespace {

constexpr const char* kComponent = "inbox";
constexpr std::uint32_t kWatchMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR;
constexpr Duration kMinScanPeriod = std::chrono::milliseconds(20);

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

}  // namespace

InboxWatcher::Impl::Impl(std::vector<InboxTarget> targets, FileSpool& spool_, const Clock& clock_, Logger& logger_)
    : spool(spool_), clock(clock_), logger(logger_) {
    for (auto& t : targets) {
        Inbox inbox;
        inbox.target = std::move(t);
        inboxes.push_back(std::move(inbox));
    }
}

InboxWatcher::InboxWatcher(std::vector<InboxTarget> targets, FileSpool& spool, const Clock& clock, Logger& logger)
    : impl_(std::make_unique<Impl>(std::move(targets), spool, clock, logger)) {}

InboxWatcher::~InboxWatcher() { stop(); }

void InboxWatcher::start() {
    Impl& d = *impl_;
    if (d.thread.joinable()) return;
    d.inotify_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (d.inotify_fd < 0) throw std::runtime_error(std::string("inotify_init1: ") + std::strerror(errno));
    if (::pipe2(d.stop_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        close_fd(d.inotify_fd);
        throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    }
    for (auto& inbox : d.inboxes) {
        try {
            files_fs::make_dirs_synced(inbox.target.directory);
        } catch (const std::exception&) {
            // inotify_add_watch below names the folder and the reason.
        }
        inbox.watch = ::inotify_add_watch(d.inotify_fd, inbox.target.directory.c_str(), kWatchMask);
        if (inbox.watch < 0) {
            const std::string message = "cannot watch inbox " + inbox.target.directory.string() + " of meter '" +
                                        inbox.target.meter + "': " + std::strerror(errno);
            close_fd(d.inotify_fd);
            close_fd(d.stop_pipe[0]);
            close_fd(d.stop_pipe[1]);
            throw std::runtime_error(message);
        }
    }
    d.thread = std::thread([&d] { d.run(); });
}

void InboxWatcher::stop() {
    Impl& d = *impl_;
    if (!d.thread.joinable()) return;
    const char byte = 1;
    while (::write(d.stop_pipe[1], &byte, 1) < 0 && errno == EINTR) {
    }
    d.thread.join();
    close_fd(d.inotify_fd);
    close_fd(d.stop_pipe[0]);
    close_fd(d.stop_pipe[1]);
}

void InboxWatcher::Impl::run() {
    Impl& d = *this;
    Duration scan_period = std::chrono::hours(1);
    for (const auto& inbox : d.inboxes) scan_period = std::min(scan_period, inbox.target.settle);
    scan_period = std::max(scan_period, kMinScanPeriod);

    SteadyTime next_scan = d.clock.steady_now();  // the scan at start
    alignas(inotify_event) char buffer[64 * 1024];
    while (true) {
        const SteadyTime now = d.clock.steady_now();
        if (now >= next_scan) {
            std::lock_guard lock(d.mutex);
            for (auto& inbox : d.inboxes) {
                try {
                    d.scan(inbox);
                } catch (const std::exception& e) {  // e.g. the folder was removed: next scan
                    d.logger.warn(kComponent, "scan of " + inbox.target.directory.string() + " failed: " + e.what());
                }
            }
            next_scan = now + scan_period;
        }
        SteadyTime wake_at = next_scan;  // or sooner, when a waiting file is due
        {
            std::lock_guard lock(d.mutex);
            for (const auto& inbox : d.inboxes)
                for (const auto& [name, w] : inbox.waiting) wake_at = std::min(wake_at, w.first_seen + inbox.target.settle);
        }
        if (wake_at < next_scan) next_scan = std::max(wake_at, d.clock.steady_now());
        const auto wait_ms = std::chrono::ceil<std::chrono::milliseconds>(next_scan - d.clock.steady_now()).count();
        pollfd fds[2] = {{d.inotify_fd, POLLIN, 0}, {d.stop_pipe[0], POLLIN, 0}};
        const int ready = ::poll(fds, 2, static_cast<int>(std::max<std::int64_t>(wait_ms, 0)));
        if (ready < 0 && errno != EINTR) {
            d.logger.error(kComponent, std::string("poll: ") + std::strerror(errno));
            return;
        }
        if (ready <= 0) continue;
        if (fds[1].revents != 0) return;
        if ((fds[0].revents & POLLIN) == 0) continue;

        const ssize_t n = ::read(d.inotify_fd, buffer, sizeof buffer);
        if (n <= 0) continue;
        std::lock_guard lock(d.mutex);
        for (ssize_t at = 0; at < n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
            at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
            if (event->mask & IN_Q_OVERFLOW) {
                d.logger.warn(kComponent, "inotify queue overflowed: scanning the inboxes");
                next_scan = d.clock.steady_now();
                continue;
            }
            if (event->len == 0) continue;
            const auto inbox = std::find_if(d.inboxes.begin(), d.inboxes.end(),
                                            [&](const Impl::Inbox& i) { return i.watch == event->wd; });
            if (inbox == d.inboxes.end()) continue;
            try {
                d.on_event(*inbox, std::string(event->name), (event->mask & IN_MOVED_TO) != 0);
            } catch (const std::exception& e) {  // the periodic scan looks at the file again
                d.logger.warn(kComponent, std::string("inbox event not handled: ") + e.what());
            }
        }
    }
}

std::string InboxWatcher::status_json() const {
    const Impl& d = *impl_;
    std::lock_guard lock(d.mutex);
    nlohmann::json inboxes = nlohmann::json::array();
    for (const auto& inbox : d.inboxes) {
        inboxes.push_back({{"meter", inbox.target.meter},
                           {"directory", inbox.target.directory.string()},
                           {"files_taken", inbox.files_taken},
                           {"last_taken", inbox.last_taken == 0 ? nlohmann::json(nullptr)
                                                                : nlohmann::json(format_iso8601_utc(inbox.last_taken))},
                           {"malformed_taken", inbox.malformed_taken},
                           {"waiting", inbox.waiting.size()}});
    }
    return nlohmann::json{{"inboxes", std::move(inboxes)}}.dump();
}

}  // namespace gridgate::gateway
