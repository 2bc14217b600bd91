// MqttForwarder::backlog_stats(): what `gridgatectl backlog` shows for the sink, from
// the durable cursors (right whether or not the forwarder is connected) and the
// forwarder's own measurements (encoded size, drain rate).
#include <algorithm>

#include "forwarder_impl.hpp"

namespace gridgate::northbound {

namespace {

// Enough readings for a fair average of the encoded size, batch overhead included.
constexpr std::size_t size_sample_readings = 1000;

// With a live lane open the store's minimum would include readings the live lane has
// already had acknowledged; take the older of the two lanes' first unacknowledged
// readings instead (timestamps follow seq within a lane, refilled data aside).
TimestampUs oldest_of_lane_heads(Outbox& outbox, const LaneCursors& durable) {
    TimestampUs oldest = 0;
    const auto consider = [&](std::uint64_t after, std::uint64_t last_allowed) {
        const auto head = outbox.read_after(after, 1);
        if (head.empty() || head.front().seq > last_allowed) return;
        const TimestampUs ts = head.front().reading.ts_us;
        if (oldest == 0 || ts < oldest) oldest = ts;
    };
    consider(durable.cursor, durable.live_start);
    consider(durable.live_position(), UINT64_MAX);
    return oldest;
}

}  // namespace

BacklogStats MqttForwarder::backlog_stats() const {
    Impl& impl = *impl_;
    const BacklogInfo info = impl.outbox.backlog(impl.cursor_names.cursor);
    LaneCursors durable{info.cursor, impl.outbox.cursor(impl.cursor_names.live_start),
                        impl.outbox.cursor(impl.cursor_names.live)};
    durable = complete_interrupted_merge(durable);  // as the next session will see it

    BacklogStats out;
    out.cursor = durable.cursor;
    out.last_seq = info.last_seq;
    out.live_lane_active = durable.live_open();
    if (out.live_lane_active) {
        out.live_start = durable.live_start;
        out.live_cursor = durable.live_position();
    }
    // The Outbox counts the readings that exist after the backlog cursor (seqs dropped
    // by the store's quota are not counted); take away what the live lane has acked.
    const std::uint64_t acked_beyond_cursor =
        durable.live_open() ? durable.live_position() - durable.live_start : durable.cursor - info.cursor;
    out.readings = info.readings > acked_beyond_cursor ? info.readings - acked_beyond_cursor : 0;
    if (out.readings == 0) out.oldest_ts_us = 0;
    else if (!durable.live_open()) out.oldest_ts_us = info.oldest_ts_us;  // the store's exact minimum
    else out.oldest_ts_us = oldest_of_lane_heads(impl.outbox, durable);

    const auto now = SteadyClock::now();
    {
        std::lock_guard lock(impl.mutex);
        if (impl.readings_published > 0) out.average_bytes_per_reading = impl.bytes_published / impl.readings_published;
        out.drain_readings_per_s = impl.drain_rate.readings_per_s(now);
        out.drain_bytes_per_s = impl.drain_rate.bytes_per_s(now);
    }
    if (out.average_bytes_per_reading == 0 && out.readings > 0) {
        // Nothing sent yet in this run: encode a sample of what waits.
        const auto sample = impl.outbox.read_after(durable.cursor,
                                                   std::min(size_sample_readings, impl.options.batch_max_readings));
        if (!sample.empty())
            out.average_bytes_per_reading =
                static_cast<double>(encode_readings_batch(impl.options.gateway_id, sample).size() +
                                    impl.topics.readings.size()) /
                static_cast<double>(sample.size());
    }
    out.estimated_bytes = static_cast<std::uint64_t>(static_cast<double>(out.readings) * out.average_bytes_per_reading);
    return out;
}

}  // namespace gridgate::northbound
