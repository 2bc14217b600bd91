#pragma once
// The two delivery lanes of one sink and their durable cursors (pure bookkeeping, no I/O:
// the forwarder does the Outbox reads and cursor writes this class asks for).
//
// Normally a sink has one lane: it publishes after its cursor, in seq order. When the
// readings waiting to be published exceed a threshold (after an outage), a *live lane*
// opens at the newest seq then committed (live_start): it carries every later commit at
// once, while the *backlog lane* drains (cursor, live_start]. When the backlog lane has
// everything up to live_start acknowledged, the lanes merge and the sink has one lane
// again. Three monotonic cursors in the Outbox make this crash-safe (docs/northbound.md):
//
//   <sink>            the backlog lane: every seq <= it is acknowledged
//   <sink>.live_start the live lane carries seqs > it; a lane is open while it is > <sink>
//   <sink>.live       the live lane's acknowledged prefix; meaningful only while it is
//                     >= live_start (a value left from an earlier lane is <= <sink>)
//
// Acknowledged on restart: (0, cursor] and, if a lane is open, (live_start, max(live, live_start)].
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/reading.hpp"
#include "gridgate/northbound/inflight_window.hpp"

namespace gridgate::northbound {

struct LaneCursorNames {
    std::string cursor;      // "<sink>"
    std::string live_start;  // "<sink>.live_start"
    std::string live;        // "<sink>.live"
};
LaneCursorNames lane_cursor_names(std::string_view sink);

// The three cursors' values (durable ones as read from the Outbox, or the in-memory view).
struct LaneCursors {
    std::uint64_t cursor = 0;
    std::uint64_t live_start = 0;
    std::uint64_t live = 0;

    bool live_open() const { return live_start > cursor; }
    // Where the live lane resumes: a `live` left from an earlier lane does not count.
    std::uint64_t live_position() const { return live > live_start ? live : live_start; }
    // Readings not acknowledged among (0, last_seq], counting every seq (holes included).
    std::uint64_t unacknowledged(std::uint64_t last_seq) const;
};

// A crash between the backlog lane reaching live_start and the merge leaves
// live_start <= cursor < live: everything up to `live` is then acknowledged, and the
// cursor moves there. Returns the cursors with that merge completed.
LaneCursors complete_interrupted_merge(LaneCursors durable);

enum class Lane { backlog, live };  // `backlog` is the sink's only lane while no live lane is open

struct CursorWrite {
    enum class Which { cursor, live_start, live };
    Which which;
    std::uint64_t seq;
};

struct LaneRead {
    std::uint64_t after = 0;       // read_after(after, count)
    std::size_t count = 0;
    std::uint64_t last_allowed = 0;  // readings above it belong to the live lane: drop them
};

class DeliveryLanes {
public:
    // `window_batches`: batches in flight, both lanes together.
    explicit DeliveryLanes(std::size_t window_batches);

    // A new session: forgets every batch in flight and restarts both lanes from the
    // durable cursors (pass them through complete_interrupted_merge first).
    void resume(const LaneCursors& durable);

    bool live_open() const { return live_open_; }
    // The in-memory view: acknowledged prefixes, whether or not written yet.
    LaneCursors positions() const;
    std::size_t inflight() const { return backlog_.window.size() + live_.window.size(); }

    // True when no live lane is open and more than `threshold` committed readings wait
    // to be published (0 disables lanes).
    bool wants_live_lane(std::uint64_t last_seq, std::size_t threshold) const;
    // Opens the live lane after `live_start` (>= everything read so far; the newest
    // committed seq). Call only once live_start is durable.
    void open_live(std::uint64_t live_start);

    // The lane to read the next batch for, or nothing (window full, nothing to read).
    // With both lanes ready they alternate, live first.
    std::optional<Lane> pick(std::uint64_t last_seq) const;
    LaneRead next_read(Lane lane, std::size_t batch_max) const;
    // Drops the readings beyond read.last_allowed (seqs the store dropped by quota let
    // read_after reach past a backlog lane's end). Returns true when nothing else is
    // left up to last_allowed: the read reached past it, or came back empty. Pure, so
    // the caller may run it without holding its lock.
    static bool clip(std::vector<StoredReading>& batch, const LaneRead& read);
    // The bounded backlog lane has read everything up to live_start (clip() said so).
    void read_to_end(Lane lane);
    // A batch about to be published; returns true if it repeats seqs this lane
    // published before (a resend).
    bool add(Lane lane, const InflightWindow::Batch& batch);

    // The connection is gone: forgets the batches in flight (late acks for them are
    // ignored) until resume() starts the next session from the durable cursors.
    void drop_inflight();

    const InflightWindow::Batch* mark_acked(std::uint64_t batch_id);
    bool contains(std::uint64_t batch_id) const;

    // Moves the acknowledged prefixes and returns the durable cursor writes to make, in
    // order. Merges the lanes when the backlog lane is complete.
    std::vector<CursorWrite> release();

private:
    struct State {
        InflightWindow window;
        std::uint64_t acked = 0;     // contiguous acknowledged prefix
        std::uint64_t read_to = 0;   // everything up to here has been read for publishing
        std::uint64_t end = UINT64_MAX;  // last seq of the lane (live_start for the backlog lane)
        std::uint64_t published_to = 0;  // highest seq published by this lane in this process
        bool bounded() const { return end != UINT64_MAX; }
        bool ready(std::uint64_t last_seq) const;
    };
    State& state(Lane lane) { return lane == Lane::live ? live_ : backlog_; }
    const State& state(Lane lane) const { return lane == Lane::live ? live_ : backlog_; }

    std::size_t window_batches_;
    State backlog_;
    State live_;
    bool live_open_ = false;
    std::uint64_t live_start_ = 0;
    Lane last_added_ = Lane::backlog;  // so that the live lane goes first
};

}  // namespace gridgate::northbound
