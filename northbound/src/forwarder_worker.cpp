// The forwarder's worker thread: connect, publish birth, resume the lanes from their
// durable cursors, reconnect with backoff, and shut down cleanly. Publishing and cursor
// moves are in forwarder_publish.cpp.
#include <algorithm>
#include <exception>

#include "forwarder_impl.hpp"
#include "paho_options.hpp"

namespace gridgate::northbound {

namespace {

// The Outbox is woken by notify_new_data(); this is only a safety net in case a
// notification is missed, cheap enough to run once a second.
constexpr auto idle_poll = std::chrono::seconds(1);
// Bound on each step of the final exchange at stop(): the offline message's PUBACK, then
// the DISCONNECT.
constexpr auto final_exchange_timeout = std::chrono::seconds(2);

// "850 ms", "12.5 s": for log lines.
std::string delay_text(Duration d) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    if (ms < 1000) return std::to_string(ms) + " ms";
    return std::to_string(ms / 1000) + "." + std::to_string((ms % 1000) / 100) + " s";
}

}  // namespace

void MqttForwarder::Impl::wake() {
    woken = true;
    wakeup.notify_one();
}

void MqttForwarder::Impl::wait_until(std::unique_lock<std::mutex>& lock, SteadyClock::time_point deadline) {
    wakeup.wait_until(lock, deadline, [this] { return woken; });
    woken = false;
}

void MqttForwarder::Impl::run() {
    std::unique_lock lock(mutex);
    while (true) {
        release_acked(lock);
        process_connection_events();
        if (stop_requested && !keep_draining()) break;
        const auto now = SteadyClock::now();
        switch (link) {
            case Link::down:
                if (now >= next_attempt) begin_connect(lock);
                else wait_until(lock, next_attempt);
                break;
            case Link::connecting:
                wait_until(lock, stop_requested ? drain_deadline : now + idle_poll);
                break;
            case Link::up:
                if (session_fresh) start_session(lock);
                if (stop_requested) wait_until(lock, drain_deadline);
                else if (!fill_window(lock))
                    // Nothing to send, the window is full, or the rate limit holds the
                    // next batch back until its tokens are due: sleep (an ack, new data
                    // or stop wakes us earlier), never spin.
                    wait_until(lock, rate_wait ? std::min(*rate_wait, now + idle_poll) : now + idle_poll);
                break;
        }
    }
    shutdown(lock);
}

void MqttForwarder::Impl::process_connection_events() {
    if (link == Link::connecting && connect_outcome != ConnectOutcome::pending) {
        if (connect_outcome == ConnectOutcome::succeeded) {
            link = Link::up;
            session_fresh = true;
            stats.connected = true;
            ++stats.connects;
            backoff.reset();
            logger.info("mqtt", "connected to " + uri + " as " + options.client_id);
        } else {
            link = Link::down;
            stats.last_error = "connect to " + uri + " failed: " + connect_error;
            logger.warn("mqtt", stats.last_error + schedule_reconnect());
        }
        connect_outcome = ConnectOutcome::pending;
    }
    if (link != Link::up) return;
    if (lost_attempt == attempt) lose_session(lost_cause);
    else if (session_broken) lose_session(stats.last_error);
}

bool MqttForwarder::Impl::keep_draining() const {
    if (SteadyClock::now() >= drain_deadline) return false;
    if (link == Link::connecting) return true;  // see it through, to say goodbye properly
    return link == Link::up && (lanes.inflight() > 0 || !event_window.empty());
}

void MqttForwarder::Impl::begin_connect(std::unique_lock<std::mutex>& lock) {
    const std::uint64_t this_attempt = ++attempt;
    link = Link::connecting;
    connect_outcome = ConnectOutcome::pending;
    const std::string will = encode_status(options.gateway_id, "offline", clock.now_utc_us(), R"({"clean":false})");
    lock.unlock();
    std::string error;
    try {
        // After a failed publish the old connection may still be up; start from scratch.
        if (client->is_connected()) client->disconnect(0)->wait_for(final_exchange_timeout);
        client->connect(make_connect_options(options, topics.status, will), context_of(this_attempt),
                        connect_listener);
    } catch (const std::exception& e) {
        error = e.what();
    }
    lock.lock();
    if (!error.empty() && attempt == this_attempt && link == Link::connecting) {
        link = Link::down;
        stats.last_error = "connect to " + uri + " failed: " + error;
        logger.warn("mqtt", stats.last_error + schedule_reconnect());
    }
}

// A new connection: announce ourselves (retained) and resume both lanes after their
// durable cursors.
void MqttForwarder::Impl::start_session(std::unique_lock<std::mutex>& lock) {
    session_fresh = false;
    const std::string birth = encode_status(options.gateway_id, "online", clock.now_utc_us(), status_details);
    lock.unlock();
    std::string error;
    LaneCursors durable;
    std::uint64_t events_cursor = 0;
    try {
        client->publish(topics.status, birth.data(), birth.size(), 1, true);
        if (events != nullptr) events_cursor = events->event_cursor(events_cursor_name);
        durable.cursor = outbox.cursor(cursor_names.cursor);
        durable.live_start = outbox.cursor(cursor_names.live_start);
        durable.live = outbox.cursor(cursor_names.live);
        const LaneCursors merged = complete_interrupted_merge(durable);
        if (merged.cursor > durable.cursor) outbox.advance_cursor(cursor_names.cursor, merged.cursor);
        durable = merged;
    } catch (const std::exception& e) {
        error = e.what();
    }
    lock.lock();
    if (!error.empty()) {
        stats.last_error = "session start failed: " + error;
        session_broken = true;
        return;
    }
    lanes.resume(durable);
    event_window.clear();
    events_read_to = events_cursor;
    events_wanted = events != nullptr;  // whatever was recorded while we were away
    stats.events_cursor = std::max(stats.events_cursor, events_cursor);
    stats.cursor = std::max(stats.cursor, durable.cursor);
    stats.live_lane_active = durable.live_open();
    if (durable.live_open()) {
        stats.live_start = durable.live_start;
        stats.live_cursor = std::max(stats.live_cursor, durable.live_position());
    }
    std::string text = "resuming after seq " + std::to_string(durable.cursor);
    if (durable.live_open())
        text += " up to seq " + std::to_string(durable.live_start) + ", live lane after seq " +
                std::to_string(durable.live_position());
    if (events != nullptr) text += "; events after id " + std::to_string(events_cursor);
    logger.info("mqtt", text);
}

bool MqttForwarder::Impl::session_usable() const {
    return link == Link::up && !session_broken && lost_attempt != attempt && !stop_requested;
}

// The broker connection is gone or unusable: whatever was in flight will be re-read
// from the cursor on the next session.
void MqttForwarder::Impl::lose_session(const std::string& reason) {
    std::string unacked = std::to_string(lanes.inflight());
    if (events != nullptr) unacked += " + " + std::to_string(event_window.size()) + " events";
    lanes.drop_inflight();
    event_window.clear();
    session_broken = false;
    session_fresh = false;
    link = Link::down;
    stats.connected = false;
    ++stats.connection_losses;
    logger.warn("mqtt", "connection to " + uri + " lost (" + reason + "); " + unacked +
                            " unacknowledged batches will be resent after seq " + std::to_string(stats.cursor) +
                            schedule_reconnect());
}

// Sets the time of the next connect attempt; returns "; reconnecting in ..." for the log.
std::string MqttForwarder::Impl::schedule_reconnect() {
    if (stop_requested) return {};
    const Duration delay = backoff.next();
    next_attempt = SteadyClock::now() + delay;
    return "; reconnecting in " + delay_text(delay);
}

void MqttForwarder::Impl::shutdown(std::unique_lock<std::mutex>& lock) {
    const bool was_up = link == Link::up;
    link = Link::down;
    stats.connected = false;
    lock.unlock();
    try {
        if (was_up) {
            const std::string offline =
                encode_status(options.gateway_id, "offline", clock.now_utc_us(), R"({"clean":true})");
            const bool acknowledged = client->publish(topics.status, offline.data(), offline.size(), 1, true)
                                          ->wait_for(final_exchange_timeout);
            // A broker that did not acknowledge the goodbye will not acknowledge anything
            // else, and Paho's disconnect would keep waiting on it (longer than its timeout
            // says, in Paho C 1.3.12): then just send DISCONNECT and close.
            const auto grace = acknowledged ? final_exchange_timeout : Duration::zero();
            client->disconnect(std::chrono::duration_cast<std::chrono::milliseconds>(grace))
                ->wait_for(final_exchange_timeout);
        } else if (client->is_connected()) {
            client->disconnect(0)->wait_for(final_exchange_timeout);
        }
    } catch (const std::exception& e) {
        logger.warn("mqtt", std::string("unclean stop: ") + e.what());
    }
    lock.lock();
    release_acked(lock);  // acks that arrived during the final exchange
    logger.info("mqtt", "stopped; " + std::to_string(lanes.inflight()) +
                            " batches left unacknowledged (they will be resent), cursor at seq " +
                            std::to_string(stats.cursor));
    lanes.drop_inflight();
    event_window.clear();
}

}  // namespace gridgate::northbound
