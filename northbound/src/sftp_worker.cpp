// The forwarder's worker thread: take the next undelivered file when inside a window,
// keep one SSH session across files (closed after idle_disconnect), and retry failures
// with backoff, logging each distinct error once.
#include <algorithm>
#include <exception>

#include "sftp_forwarder_impl.hpp"
#include "sftp_schedule.hpp"

namespace gridgate::northbound {

namespace {

// Errors after which the session cannot be trusted: reconnect on the next attempt.
// Others (a refused path, a size mismatch) leave a working session behind.
bool breaks_session(files::SshErrorKind kind) {
    using K = files::SshErrorKind;
    return kind == K::connect || kind == K::host_key_unknown || kind == K::host_key_mismatch || kind == K::auth ||
           kind == K::link;
}

std::string delay_text(Duration d) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    if (ms < 1000) return std::to_string(ms) + " ms";
    return std::to_string(ms / 1000) + "." + std::to_string((ms % 1000) / 100) + " s";
}

}  // namespace

void SftpForwarder::Impl::wake() {
    {
        std::lock_guard lock(mutex);
        woken = true;
    }
    wakeup.notify_one();
}

bool SftpForwarder::Impl::in_window() const { return in_any_window(options.windows, clock.now_utc_us()); }

void SftpForwarder::Impl::set_in_window(bool inside) {
    std::lock_guard lock(mutex);
    if (stats.in_window != inside)
        logger.info(options.sink_name, inside ? "schedule window open: uploading" : "outside the schedule windows: paused");
    stats.in_window = inside;
}

void SftpForwarder::Impl::run() {
    logger.info(options.sink_name, "forwarding files to " + options.endpoint.host + ":" +
                                       std::to_string(options.endpoint.port) + " under '" + options.remote_root + "'");
    while (!stop_requested) {
        const bool inside = in_window();
        set_in_window(inside);
        if (!inside) {
            // Wall time comes from the Clock (it can step), so look again at least every
            // poll interval rather than trusting one long wait.
            idle(until_window_opens(options.windows, clock.now_utc_us()));
            continue;
        }
        std::optional<SpooledFile> file;
        try {
            file = outbox.next_undelivered(options.sink_name, after_id);
        } catch (const std::exception& e) {
            const std::string error = std::string("reading the spool index failed: ") + e.what();
            on_failure(error, error, false);
            continue;
        }
        if (!file) {
            idle(options.poll_interval);
            continue;
        }
        attempt(*file);
    }
    close_session("stopping");
    std::lock_guard lock(mutex);
    stats.current_id = 0;
    stats.current_name.clear();
}

void SftpForwarder::Impl::attempt(const SpooledFile& file) {
    // The idle disconnect counts from the end of the last exchange, not its start.
    struct TouchOnExit {
        Impl& self;
        ~TouchOnExit() { self.last_activity = SteadyClock::now(); }
    } touch{*this};
    try {
        deliver(file);
        on_success();
    } catch (const files::SshError& e) {
        if (e.kind() == files::SshErrorKind::cancelled) {
            // Stopping, or the window closed between chunks: the temporary file stays and
            // the next attempt resumes from it. Not a failure.
            if (!stop_requested)
                logger.info(options.sink_name, "upload of " + file.name + " paused: the schedule window closed");
            return;
        }
        // libssh words one cause differently from one attempt to the next ("Socket
        // error: Connection reset" / "Connection reset"): the kind is what changes.
        on_failure(file.name + ": " + e.what(), std::to_string(file.id) + ":" + files::to_string(e.kind()),
                   breaks_session(e.kind()));
    } catch (const std::exception& e) {
        on_failure(file.name + ": " + e.what(), file.name + ": " + e.what(), false);
    }
}

// `cause` identifies the error for logging: the same cause again is logged at debug only.
void SftpForwarder::Impl::on_failure(const std::string& error, const std::string& cause, bool drop_session) {
    if (drop_session) close_session("after an error");
    made_dirs.clear();  // a folder removed on the server is made again on the retry
    const Duration delay = backoff.next();
    {
        std::lock_guard lock(mutex);
        ++stats.failures;
        stats.last_error = error;
    }
    if (cause != logged_cause) {
        logger.warn(options.sink_name, error + "; retrying in " + delay_text(delay) + " (then with backoff)");
        logged_cause = cause;
        logged_error = error;
    } else {
        logger.debug(options.sink_name, error + "; retrying in " + delay_text(delay));
    }
    wait_backoff(delay);
}

void SftpForwarder::Impl::on_success() {
    backoff.reset();
    if (!logged_cause.empty()) {
        logger.info(options.sink_name, "delivering again after: " + logged_error);
        logged_error.clear();
        logged_cause.clear();
    }
}

// Sleeps up to `longest` (and never past the idle disconnect), waking early for new
// files or stop().
void SftpForwarder::Impl::idle(Duration longest) {
    auto deadline = SteadyClock::now() + std::min(longest, options.poll_interval);
    if (session) deadline = std::min(deadline, last_activity + options.idle_disconnect);
    {
        std::unique_lock lock(mutex);
        wakeup.wait_until(lock, deadline, [this] { return woken || stop_requested; });
        woken = false;
    }
    if (session && SteadyClock::now() >= last_activity + options.idle_disconnect) close_session("idle");
}

// New files do not make a broken link work again: only stop() cuts a backoff short.
void SftpForwarder::Impl::wait_backoff(Duration delay) {
    std::unique_lock lock(mutex);
    wakeup.wait_for(lock, delay, [this] { return stop_requested.load(); });
}

files::SftpSession& SftpForwarder::Impl::ensure_session() {
    last_activity = SteadyClock::now();
    if (session) return *session;
    session = std::make_unique<files::SftpSession>(options.endpoint, logger, options.sink_name);
    made_dirs.clear();
    last_activity = SteadyClock::now();
    {
        std::lock_guard lock(mutex);
        stats.connected = true;
        ++stats.connects;
    }
    logger.info(options.sink_name, "connected to " + options.endpoint.host + ":" +
                                       std::to_string(options.endpoint.port) + " (host key " +
                                       session->host_key_fingerprint() + ")");
    return *session;
}

void SftpForwarder::Impl::close_session(const char* why) {
    if (!session) return;
    session.reset();
    made_dirs.clear();
    {
        std::lock_guard lock(mutex);
        stats.connected = false;
    }
    logger.info(options.sink_name, std::string("disconnected (") + why + ")");
}

}  // namespace gridgate::northbound
