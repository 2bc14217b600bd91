#include "gridgate/northbound/delivery_lanes.hpp"

#include <algorithm>
#include <stdexcept>

namespace gridgate::northbound {

LaneCursorNames lane_cursor_names(std::string_view sink) {
    const std::string base(sink);
    return {base, base + ".live_start", base + ".live"};
}

std::uint64_t LaneCursors::unacknowledged(std::uint64_t last_seq) const {
    if (!live_open()) return last_seq > cursor ? last_seq - cursor : 0;
    const std::uint64_t live_from = live_position();
    return (live_start - cursor) + (last_seq > live_from ? last_seq - live_from : 0);
}

LaneCursors complete_interrupted_merge(LaneCursors durable) {
    // `live` above the cursor with no lane open can only be the lane that just ended:
    // a new lane is opened only after the merge, at a live_start above the cursor.
    if (!durable.live_open() && durable.live > durable.cursor) durable.cursor = durable.live;
    return durable;
}

bool DeliveryLanes::State::ready(std::uint64_t last_seq) const { return read_to < std::min(end, last_seq); }

DeliveryLanes::DeliveryLanes(std::size_t window_batches) : window_batches_(window_batches) {}

void DeliveryLanes::resume(const LaneCursors& durable) {
    const bool same_lane = live_open_ && durable.live_open() && durable.live_start == live_start_;
    backlog_.window.clear();
    live_.window.clear();
    backlog_.acked = backlog_.read_to = durable.cursor;
    live_open_ = durable.live_open();
    live_start_ = durable.live_start;
    if (!live_open_) {
        backlog_.end = UINT64_MAX;
        return;
    }
    backlog_.end = durable.live_start;
    live_.acked = live_.read_to = durable.live_position();
    live_.end = UINT64_MAX;
    // What this process already published in the lane (for counting resends); a lane
    // found on disk at start-up has published nothing yet.
    if (!same_lane) live_.published_to = durable.live_start;
}

LaneCursors DeliveryLanes::positions() const {
    return {backlog_.acked, live_start_, live_open_ ? live_.acked : 0};
}

bool DeliveryLanes::wants_live_lane(std::uint64_t last_seq, std::size_t threshold) const {
    return threshold > 0 && !live_open_ && last_seq > backlog_.read_to && last_seq - backlog_.read_to > threshold;
}

void DeliveryLanes::open_live(std::uint64_t live_start) {
    if (live_open_ || live_start <= backlog_.read_to)
        throw std::logic_error("DeliveryLanes: a live lane must start after everything read so far");
    live_open_ = true;
    live_start_ = live_start;
    backlog_.end = live_start;
    live_ = State{};
    live_.acked = live_.read_to = live_.published_to = live_start;
}

std::optional<Lane> DeliveryLanes::pick(std::uint64_t last_seq) const {
    if (inflight() >= window_batches_) return std::nullopt;
    const bool backlog_ready = backlog_.ready(last_seq);
    const bool live_ready = live_open_ && live_.ready(last_seq);
    if (backlog_ready && live_ready) return last_added_ == Lane::live ? Lane::backlog : Lane::live;
    if (live_ready) return Lane::live;
    if (backlog_ready) return Lane::backlog;
    return std::nullopt;
}

LaneRead DeliveryLanes::next_read(Lane lane, std::size_t batch_max) const {
    const State& s = state(lane);
    LaneRead read;
    read.after = s.read_to;
    read.count = s.bounded() ? static_cast<std::size_t>(std::min<std::uint64_t>(batch_max, s.end - s.read_to))
                             : batch_max;
    read.last_allowed = s.end;
    return read;
}

bool DeliveryLanes::clip(std::vector<StoredReading>& batch, const LaneRead& read) {
    const auto beyond =
        std::find_if(batch.begin(), batch.end(), [&](const StoredReading& r) { return r.seq > read.last_allowed; });
    const bool reached_end = beyond != batch.end() || batch.empty();
    batch.erase(beyond, batch.end());
    return reached_end;
}

void DeliveryLanes::read_to_end(Lane lane) {
    State& s = state(lane);
    if (s.bounded()) s.read_to = std::max(s.read_to, s.end);
}

bool DeliveryLanes::add(Lane lane, const InflightWindow::Batch& batch) {
    State& s = state(lane);
    s.window.push(batch);
    s.read_to = std::max(s.read_to, batch.last_seq);
    const bool resent = batch.first_seq <= s.published_to;
    s.published_to = std::max(s.published_to, batch.last_seq);
    last_added_ = lane;
    return resent;
}

void DeliveryLanes::drop_inflight() {
    // Nothing unacknowledged may look read: a bounded lane that seemed read to its end
    // would otherwise count as complete once its window is empty.
    for (State* s : {&backlog_, &live_}) {
        s->window.clear();
        s->read_to = s->acked;
    }
}

const InflightWindow::Batch* DeliveryLanes::mark_acked(std::uint64_t batch_id) {
    if (const auto* batch = backlog_.window.mark_acked(batch_id)) return batch;
    return live_.window.mark_acked(batch_id);
}

bool DeliveryLanes::contains(std::uint64_t batch_id) const {
    return backlog_.window.contains(batch_id) || live_.window.contains(batch_id);
}

std::vector<CursorWrite> DeliveryLanes::release() {
    const std::uint64_t cursor_before = backlog_.acked;
    const auto from_backlog = backlog_.window.pop_acked_prefix();
    if (from_backlog.batches > 0) backlog_.acked = std::max(backlog_.acked, from_backlog.last_seq);
    // A bounded lane with nothing left to read and nothing in flight is complete, even
    // if its last seqs were dropped by the store (a hole up to live_start).
    if (backlog_.bounded() && backlog_.window.empty() && backlog_.read_to >= backlog_.end)
        backlog_.acked = std::max(backlog_.acked, backlog_.end);

    std::vector<CursorWrite> writes;
    const std::uint64_t live_before = live_.acked;
    const auto from_live = live_.window.pop_acked_prefix();
    if (live_open_ && from_live.batches > 0) live_.acked = std::max(live_.acked, from_live.last_seq);

    if (live_open_ && backlog_.acked >= live_start_) {
        // Merge: the live lane becomes the sink's only lane, its batches in flight
        // included, and the cursor takes over its acknowledged prefix.
        live_open_ = false;
        backlog_ = std::move(live_);
        live_ = State{};
    } else if (live_.acked > live_before) {
        writes.push_back({CursorWrite::Which::live, live_.acked});
    }
    if (backlog_.acked > cursor_before) writes.push_back({CursorWrite::Which::cursor, backlog_.acked});
    return writes;
}

}  // namespace gridgate::northbound
