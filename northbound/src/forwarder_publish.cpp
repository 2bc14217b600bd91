// The forwarder's publishing side (worker thread): fill the shared in-flight window from
// the two lanes under the rate limit, open a live lane when the backlog is large, and
// write the durable cursors as PUBACKs come in. Outbox reads, encoding, publishing and
// cursor writes all run without the mutex.
#include <mqtt/message.h>

#include <algorithm>
#include <exception>

#include "forwarder_impl.hpp"

namespace gridgate::northbound {

// Events first: there are few, they have their own small window, and so they never
// queue behind a backlog of readings, nor readings behind them for more than a few
// small messages. Returns whether anything was published.
bool MqttForwarder::Impl::fill_window(std::unique_lock<std::mutex>& lock) {
    const bool events_sent = publish_events(lock);
    return fill_readings(lock) || events_sent;
}

// Publishes batches until the window is full, the Outbox has nothing more or the rate
// limit says wait (then rate_wait holds when). Returns whether anything was published.
bool MqttForwarder::Impl::fill_readings(std::unique_lock<std::mutex>& lock) {
    rate_wait.reset();
    bool published = false;
    while (session_usable()) {
        lock.unlock();
        std::uint64_t last = 0;
        std::string error;
        try {
            last = outbox.last_seq();
        } catch (const std::exception& e) {
            error = e.what();
        }
        lock.lock();
        if (!error.empty()) {
            stats.last_error = "outbox read failed: " + error;
            logger.error("mqtt", stats.last_error);
            return published;
        }
        if (!session_usable()) return published;
        if (lanes.wants_live_lane(last, live_lane_threshold)) {
            if (!open_live_lane(lock, last)) return published;
            continue;
        }
        const auto lane = lanes.pick(last);
        if (!lane) return published;

        const auto now = SteadyClock::now();
        const auto ready = limiter.ready_at(now);
        if (ready > now) {
            if (!rate_holding) ++stats.rate_limit_waits;
            rate_holding = true;
            rate_wait = ready;
            return published;
        }
        rate_holding = false;

        switch (publish_next(lock, *lane)) {
            case Step::published:
                published = true;
                break;
            case Step::empty:
                // A backlog lane whose remaining seqs were all dropped by the store is
                // now complete: let it merge, then go on with the live lane.
                if (*lane == Lane::live || !lanes.live_open()) return published;
                release_acked(lock);
                break;
            case Step::stop:
                return published;
        }
    }
    return published;
}

// Records the new lane's start durably before it publishes anything, so a restart
// knows which seqs belong to which lane.
bool MqttForwarder::Impl::open_live_lane(std::unique_lock<std::mutex>& lock, std::uint64_t live_start) {
    const std::uint64_t waiting = live_start - lanes.positions().cursor;
    lock.unlock();
    std::string error;
    try {
        outbox.advance_cursor(cursor_names.live_start, live_start);
    } catch (const std::exception& e) {
        error = e.what();
    }
    lock.lock();
    if (!error.empty()) {
        stats.last_error = "cursor write failed: " + error;
        logger.error("mqtt", stats.last_error + "; no live lane for now");
        return false;
    }
    lanes.open_live(live_start);
    ++stats.live_lanes_opened;
    stats.live_lane_active = true;
    stats.live_start = live_start;
    stats.live_cursor = live_start;
    logger.info("mqtt", "backlog of " + std::to_string(waiting) +
                            " readings: new readings go out in a live lane after seq " + std::to_string(live_start) +
                            " while the backlog drains");
    return true;
}

MqttForwarder::Impl::Step MqttForwarder::Impl::publish_next(std::unique_lock<std::mutex>& lock, Lane lane) {
    const LaneRead read = lanes.next_read(lane, options.batch_max_readings);
    lock.unlock();
    std::vector<StoredReading> batch;
    std::string payload;
    bool reached_end = false;
    std::string read_error;
    try {
        batch = outbox.read_after(read.after, read.count);
        reached_end = DeliveryLanes::clip(batch, read);
        if (!batch.empty()) payload = encode_readings_batch(options.gateway_id, batch);
    } catch (const std::exception& e) {
        read_error = e.what();
    }
    lock.lock();
    if (!read_error.empty()) {
        stats.last_error = "outbox read failed: " + read_error;
        logger.error("mqtt", stats.last_error);
        return Step::stop;  // try again at the next wake-up or idle poll
    }
    if (!session_usable()) return Step::stop;
    if (reached_end) lanes.read_to_end(lane);
    if (batch.empty()) return Step::empty;

    const std::uint64_t id = next_batch_id++;
    const std::size_t bytes = payload.size() + topics.readings.size();
    const std::size_t count = batch.size();
    // Into the window before publishing: the ack may be quick.
    const bool resent = lanes.add(lane, {id, batch.front().seq, batch.back().seq, count, false, bytes});
    lock.unlock();
    std::string publish_error;
    try {
        client->publish(mqtt::make_message(topics.readings, std::move(payload), 1, false), context_of(id),
                        publish_listener);
    } catch (const std::exception& e) {
        publish_error = e.what();
    }
    lock.lock();
    if (!publish_error.empty()) {
        stats.last_error = "publish failed: " + publish_error;
        session_broken = true;
        return Step::stop;
    }
    limiter.record(bytes, SteadyClock::now());
    ++stats.batches_published;
    if (resent) ++stats.resent_batches;
    bytes_published += static_cast<double>(bytes);
    readings_published += static_cast<double>(count);
    return Step::published;
}

// Moves the cursors over the batches acknowledged without a gap before them, and merges
// the lanes when the backlog lane is complete.
void MqttForwarder::Impl::release_acked(std::unique_lock<std::mutex>& lock) {
    release_acked_events(lock);
    const bool was_open = lanes.live_open();
    const auto writes = lanes.release();
    if (was_open && !lanes.live_open()) {
        stats.live_lane_active = false;
        logger.info("mqtt", "backlog drained up to seq " + std::to_string(stats.live_start) +
                                "; the live lane is the only lane again");
    }
    if (!writes.empty()) write_cursors(lock, writes);
}

// The writes are durable and may be slow, so they run without the mutex.
void MqttForwarder::Impl::write_cursors(std::unique_lock<std::mutex>& lock, const std::vector<CursorWrite>& writes) {
    lock.unlock();
    std::string error;
    std::vector<CursorWrite> done;
    try {
        for (const auto& write : writes) {
            const std::string& name =
                write.which == CursorWrite::Which::live ? cursor_names.live
                : write.which == CursorWrite::Which::live_start ? cursor_names.live_start
                                                                 : cursor_names.cursor;
            outbox.advance_cursor(name, write.seq);
            done.push_back(write);
        }
    } catch (const std::exception& e) {
        error = e.what();
    }
    lock.lock();
    for (const auto& write : done) {
        if (write.which == CursorWrite::Which::cursor) stats.cursor = std::max(stats.cursor, write.seq);
        if (write.which == CursorWrite::Which::live) stats.live_cursor = std::max(stats.live_cursor, write.seq);
    }
    if (!error.empty()) {
        // Delivered but not recorded: these readings will be sent again (at-least-once).
        stats.last_error = "cursor write failed: " + error;
        logger.error("mqtt", stats.last_error);
    }
}

}  // namespace gridgate::northbound
