// The forwarder's events (worker thread): gateway events from the EventOutbox, one QoS 1
// message each on <prefix>/<gw>/events, in id order, at most inflight_events in flight,
// and the "<sink>.events" cursor moved over the acknowledged prefix. Like the readings,
// a lost session forgets what was in flight and the next one resumes after the durable
// cursor (at least once).
#include <mqtt/message.h>

#include <algorithm>
#include <exception>

#include "forwarder_impl.hpp"

namespace gridgate::northbound {

namespace {
// Events recorded without a notify_new_events() (the store's own audit events) are found
// this often at the latest.
constexpr auto events_recheck = std::chrono::seconds(1);
}  // namespace

// Returns whether anything was published.
bool MqttForwarder::Impl::publish_events(std::unique_lock<std::mutex>& lock) {
    if (events == nullptr || !session_usable()) return false;
    const auto now = SteadyClock::now();
    if (!events_wanted && now < events_next_check) return false;
    if (event_window.size() >= options.inflight_events) return false;  // an ack will wake us
    const std::size_t room = options.inflight_events - event_window.size();
    const std::uint64_t after = events_read_to;
    events_wanted = false;  // a notify during the read sets it again
    lock.unlock();
    std::vector<GatewayEvent> batch;
    std::string error;
    try {
        batch = events->read_events_after(after, room);
    } catch (const std::exception& e) {
        error = e.what();
    }
    lock.lock();
    events_next_check = now + events_recheck;
    if (!error.empty()) {
        stats.last_error = "event outbox read failed: " + error;
        logger.error("mqtt", stats.last_error);
        events_wanted = false;  // try again at the next check, not in a tight loop
        return false;
    }
    // A full read may have left more behind; otherwise wait for a notify (or the check).
    if (batch.size() == room) events_wanted = true;
    if (batch.empty() || !session_usable() || events_read_to != after) return false;

    // The store keeps a bounded audit log: ids missing here were trimmed before they
    // could be published. Say so once; the consumer sees the gap in ids.
    if (batch.front().id > after + 1 && batch.front().id - 1 > events_gap_warned) {
        events_gap_warned = batch.front().id - 1;
        logger.warn("mqtt", "events " + std::to_string(after + 1) + ".." + std::to_string(batch.front().id - 1) +
                                " are no longer in the store (its audit log keeps only the newest); they were never "
                                "published");
    }

    bool published = false;
    for (const GatewayEvent& event : batch) {
        std::string payload;
        try {
            payload = is_file_notice(event) ? encode_file_notice(options.gateway_id, event)
                                            : encode_event(options.gateway_id, event);
        } catch (const std::exception& e) {
            // Out of memory, in practice: try again later rather than skip the event.
            stats.last_error = "event encoding failed: " + std::string(e.what());
            logger.error("mqtt", stats.last_error);
            return published;
        }
        const std::uint64_t id = next_batch_id++;
        // File notices travel in the events stream (one cursor, one order) but are
        // published on their own topic.
        const std::string& topic = is_file_notice(event) ? topics.files : topics.events;
        const std::size_t bytes = payload.size() + topic.size();
        // Into the window before publishing: the ack may be quick.
        event_window.push({id, event.id, event.id, 1, false, bytes});
        events_read_to = event.id;
        lock.unlock();
        std::string publish_error;
        try {
            client->publish(mqtt::make_message(topic, std::move(payload), 1, false), context_of(id),
                            event_listener);
        } catch (const std::exception& e) {
            publish_error = e.what();
        }
        lock.lock();
        if (!publish_error.empty()) {
            stats.last_error = "event publish failed: " + publish_error;
            session_broken = true;
            return published;
        }
        ++stats.events_published;
        published = true;
        if (!session_usable()) return published;
    }
    return published;
}

// Moves the events cursor over the events acknowledged without a gap before them.
void MqttForwarder::Impl::release_acked_events(std::unique_lock<std::mutex>& lock) {
    const InflightWindow::Released released = event_window.pop_acked_prefix();
    if (released.batches == 0) return;
    lock.unlock();
    std::string error;
    try {
        events->advance_event_cursor(events_cursor_name, released.last_seq);
    } catch (const std::exception& e) {
        error = e.what();
    }
    lock.lock();
    if (!error.empty()) {
        // Delivered but not recorded: these events will be sent again (at least once).
        stats.last_error = "events cursor write failed: " + error;
        logger.error("mqtt", stats.last_error);
        return;
    }
    stats.events_cursor = std::max(stats.events_cursor, released.last_seq);
}

}  // namespace gridgate::northbound
