// The lane bookkeeping: when a live lane opens, how the lanes share the window and
// alternate, which durable cursor writes come out of acknowledgements, the merge, quota
// holes, and the restart rules. Pure: batches are "published" and "acked" by hand.
#include <catch2/catch.hpp>
#include <vector>

#include "gridgate/northbound/delivery_lanes.hpp"

using namespace gridgate;
using namespace gridgate::northbound;

namespace {

using Which = CursorWrite::Which;

// A test harness standing in for the forwarder: an in-memory log of seqs (holes allowed)
// and the durable cursors the lanes asked to write.
struct Harness {
    explicit Harness(std::size_t window, std::uint64_t last) : lanes(window) {
        for (std::uint64_t seq = 1; seq <= last; ++seq) log.push_back(seq);
    }
    std::vector<std::uint64_t> log;
    DeliveryLanes lanes;
    LaneCursors durable;
    std::uint64_t next_id = 1;

    std::uint64_t last_seq() const { return log.empty() ? 0 : log.back(); }
    void append(std::uint64_t count) {
        const std::uint64_t from = last_seq();
        for (std::uint64_t seq = from + 1; seq <= from + count; ++seq) log.push_back(seq);
    }
    void erase(std::uint64_t first, std::uint64_t last) {
        std::erase_if(log, [&](std::uint64_t seq) { return seq >= first && seq <= last; });
    }
    std::vector<StoredReading> read_after(std::uint64_t after, std::size_t count) const {
        std::vector<StoredReading> out;
        for (const auto seq : log)
            if (seq > after && out.size() < count) out.push_back({seq, Reading{}});
        return out;
    }
    // Reads and "publishes" one batch on the lane the lanes pick; returns its id (0 if none).
    std::uint64_t publish(std::size_t batch_max, Lane* picked = nullptr) {
        const auto lane = lanes.pick(last_seq());
        if (!lane) return 0;
        if (picked) *picked = *lane;
        const auto read = lanes.next_read(*lane, batch_max);
        auto batch = read_after(read.after, read.count);
        if (DeliveryLanes::clip(batch, read)) lanes.read_to_end(*lane);
        if (batch.empty()) return 0;
        const std::uint64_t id = next_id++;
        lanes.add(*lane, {id, batch.front().seq, batch.back().seq, batch.size(), false, 100});
        return id;
    }
    void ack(std::uint64_t id) { REQUIRE(lanes.mark_acked(id) != nullptr); }
    // Applies the writes as the Outbox would (monotonic) and returns them.
    std::vector<CursorWrite> release() {
        const auto writes = lanes.release();
        for (const auto& w : writes) {
            auto& cursor = w.which == Which::cursor ? durable.cursor
                           : w.which == Which::live ? durable.live
                                                    : durable.live_start;
            cursor = std::max(cursor, w.seq);
        }
        return writes;
    }
    void open_live_if_wanted(std::size_t threshold) {
        if (!lanes.wants_live_lane(last_seq(), threshold)) return;
        durable.live_start = last_seq();  // durable first, then open
        lanes.open_live(last_seq());
    }
};

}  // namespace

TEST_CASE("with one lane, acks move the cursor over the contiguous prefix only") {
    Harness h(4, 1000);
    h.lanes.resume(h.durable);
    const auto a = h.publish(100);
    const auto b = h.publish(100);
    CHECK(h.lanes.inflight() == 2);
    h.ack(b);
    CHECK(h.release().empty());  // a is still out
    h.ack(a);
    const auto writes = h.release();
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].which == Which::cursor);
    CHECK(writes[0].seq == 200);
    CHECK(h.lanes.positions().cursor == 200);
}

TEST_CASE("a live lane opens above the threshold of readings waiting to be published") {
    Harness h(8, 1000);
    h.lanes.resume(h.durable);
    CHECK_FALSE(h.lanes.wants_live_lane(1000, 0));     // 0 disables lanes
    CHECK_FALSE(h.lanes.wants_live_lane(1000, 1000));  // not more than the threshold
    CHECK(h.lanes.wants_live_lane(1000, 999));
    h.publish(100);  // 100 read: 900 wait
    CHECK_FALSE(h.lanes.wants_live_lane(1000, 900));
    CHECK(h.lanes.wants_live_lane(1000, 899));
    h.open_live_if_wanted(500);
    CHECK(h.lanes.live_open());
    CHECK(h.lanes.positions().live_start == 1000);
    CHECK_FALSE(h.lanes.wants_live_lane(5000, 1));  // one live lane at a time
    CHECK_THROWS_AS(h.lanes.open_live(2000), std::logic_error);
}

TEST_CASE("the backlog lane stops at live_start; new readings go to the live lane, alternating live first") {
    Harness h(16, 1000);
    h.lanes.resume(h.durable);
    h.open_live_if_wanted(500);
    REQUIRE(h.lanes.live_open());

    Lane lane = Lane::live;
    h.publish(100, &lane);
    CHECK(lane == Lane::backlog);  // nothing live yet
    h.append(250);                 // 1001..1250 are live
    std::vector<Lane> order;
    for (int i = 0; i < 6; ++i) {
        REQUIRE(h.publish(100, &lane) != 0);
        order.push_back(lane);
    }
    // Live first, then alternating while both have something; the live lane ran dry
    // after three batches (250 readings), so the backlog lane goes on alone.
    CHECK(order == std::vector<Lane>{Lane::live, Lane::backlog, Lane::live, Lane::backlog, Lane::live, Lane::backlog});
    CHECK(h.publish(100, &lane) != 0);
    CHECK(lane == Lane::backlog);
    // The backlog lane reads never cross live_start.
    while (h.publish(100, &lane) != 0) CHECK(lane == Lane::backlog);
    CHECK(h.lanes.next_read(Lane::backlog, 100).after == 1000);
}

TEST_CASE("the shared window bounds both lanes together") {
    Harness h(3, 1000);
    h.lanes.resume(h.durable);
    h.open_live_if_wanted(100);
    h.append(1000);
    CHECK(h.publish(100) != 0);
    CHECK(h.publish(100) != 0);
    CHECK(h.publish(100) != 0);
    CHECK(h.lanes.inflight() == 3);
    CHECK_FALSE(h.lanes.pick(h.last_seq()).has_value());
}

TEST_CASE("live acks write the live cursor; the backlog reaching live_start merges the lanes") {
    Harness h(16, 300);
    h.lanes.resume(h.durable);
    h.open_live_if_wanted(100);  // live_start = 300
    h.append(150);               // 301..450
    Lane lane{};
    const auto live1 = h.publish(100, &lane);
    REQUIRE(lane == Lane::live);
    const auto back1 = h.publish(100, &lane);
    REQUIRE(lane == Lane::backlog);
    const auto live2 = h.publish(100, &lane);  // 401..450
    REQUIRE(lane == Lane::live);
    const auto back2 = h.publish(100, &lane);
    const auto back3 = h.publish(100, &lane);
    REQUIRE(lane == Lane::backlog);

    h.ack(live1);
    auto writes = h.release();
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].which == Which::live);
    CHECK(writes[0].seq == 400);
    h.ack(back1);
    h.ack(back2);
    writes = h.release();
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].which == Which::cursor);
    CHECK(writes[0].seq == 200);
    CHECK(h.lanes.live_open());

    // The last backlog batch: the cursor takes over the live lane's prefix (400), and
    // the live batch still in flight (401..450) now belongs to the only lane.
    h.ack(back3);
    writes = h.release();
    CHECK_FALSE(h.lanes.live_open());
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].which == Which::cursor);
    CHECK(writes[0].seq == 400);
    h.ack(live2);
    writes = h.release();
    REQUIRE(writes.size() == 1);
    CHECK(writes[0].which == Which::cursor);
    CHECK(writes[0].seq == 450);
    CHECK(h.durable.cursor == 450);
    CHECK(h.durable.unacknowledged(h.last_seq()) == 0);
}

TEST_CASE("a quota hole at the end of the backlog lane does not keep it open") {
    Harness h(16, 1000);
    h.lanes.resume(h.durable);
    h.open_live_if_wanted(100);  // live_start = 1000
    h.append(50);                // 1001..1050
    h.erase(901, 1000);          // the store dropped the backlog lane's tail
    std::vector<std::uint64_t> ids;
    while (const auto id = h.publish(300)) ids.push_back(id);
    CHECK(h.lanes.inflight() == ids.size());
    for (const auto id : ids) h.ack(id);
    h.release();
    CHECK_FALSE(h.lanes.live_open());
    CHECK(h.durable.cursor == 1050);
}

TEST_CASE("a backlog lane left with nothing but a hole completes without publishing") {
    Harness h(16, 1000);
    h.durable = {100, 1000, 1020};  // a lane found on disk
    h.append(30);
    h.erase(101, 1000);
    h.lanes.resume(h.durable);
    const auto id = h.publish(100);  // live first: 1021..1030
    REQUIRE(id != 0);
    CHECK(h.publish(100) == 0);  // the backlog read finds nothing up to live_start
    h.release();
    CHECK_FALSE(h.lanes.live_open());
    CHECK(h.durable.cursor == 1020);  // the merge took the live lane's prefix
    h.ack(id);
    h.release();
    CHECK(h.durable.cursor == 1030);
}

TEST_CASE("holes inside the one lane are passed over when the next batch is acked") {
    Harness h(4, 500);
    h.erase(1, 150);  // below the first remaining seq
    h.erase(301, 350);
    h.lanes.resume(h.durable);
    const auto a = h.publish(100);  // 151..250
    const auto b = h.publish(100);  // 251..300, 351..400
    h.ack(a);
    h.ack(b);
    h.release();
    CHECK(h.durable.cursor == 400);
}

TEST_CASE("resume restarts both lanes from the durable cursors and forgets what was in flight") {
    Harness h(16, 2000);
    h.durable = {300, 1000, 1400};
    h.lanes.resume(h.durable);
    REQUIRE(h.lanes.live_open());
    CHECK(h.lanes.next_read(Lane::backlog, 500).after == 300);
    CHECK(h.lanes.next_read(Lane::backlog, 500).count == 500);
    CHECK(h.lanes.next_read(Lane::backlog, 5000).count == 700);  // never beyond live_start
    CHECK(h.lanes.next_read(Lane::live, 500).after == 1400);

    const auto id = h.publish(100);
    CHECK(h.lanes.inflight() == 1);
    h.lanes.drop_inflight();  // connection lost
    CHECK(h.lanes.inflight() == 0);
    CHECK(h.lanes.mark_acked(id) == nullptr);  // a late ack from the old connection
    CHECK(h.release().empty());

    // A live cursor left from an earlier lane (below live_start) does not count.
    h.lanes.resume({300, 1000, 250});
    CHECK(h.lanes.next_read(Lane::live, 500).after == 1000);
}

TEST_CASE("dropping the batches in flight never makes a read-to-the-end backlog lane look complete") {
    Harness h(16, 1000);
    h.durable = {800, 1000, 1000};
    h.lanes.resume(h.durable);
    h.publish(500);  // reads 801..1000: the backlog lane is read to its end
    h.lanes.drop_inflight();
    CHECK(h.release().empty());
    CHECK(h.lanes.live_open());
    CHECK(h.lanes.positions().cursor == 800);
}

TEST_CASE("resends are recognised per lane") {
    Harness h(16, 400);
    h.lanes.resume(h.durable);
    const auto read = h.lanes.next_read(Lane::backlog, 100);
    const auto batch = h.read_after(read.after, read.count);
    CHECK_FALSE(h.lanes.add(Lane::backlog, {1, 1, 100, 100, false, 0}));
    h.lanes.drop_inflight();
    h.lanes.resume(h.durable);
    CHECK(h.lanes.add(Lane::backlog, {2, 1, 100, 100, false, 0}));   // sent before
    CHECK_FALSE(h.lanes.add(Lane::backlog, {3, 101, 200, 100, false, 0}));
    CHECK(batch.size() == 100);
}

TEST_CASE("an interrupted merge is completed from the durable cursors") {
    // The backlog lane reached live_start (cursor == live_start) and the process died
    // before the cursor took over the live lane's prefix.
    const auto merged = complete_interrupted_merge({1000, 1000, 1400});
    CHECK(merged.cursor == 1400);
    CHECK_FALSE(merged.live_open());
    // An open lane, or a live cursor left behind by an earlier lane: nothing to do.
    CHECK(complete_interrupted_merge({300, 1000, 1400}).cursor == 300);
    CHECK(complete_interrupted_merge({2000, 1000, 1400}).cursor == 2000);
}

TEST_CASE("unacknowledged counts both lanes") {
    CHECK(LaneCursors{300, 1000, 1400}.unacknowledged(2000) == 700 + 600);
    CHECK(LaneCursors{300, 1000, 0}.unacknowledged(2000) == 700 + 1000);
    CHECK(LaneCursors{2000, 1000, 1400}.unacknowledged(2000) == 0);
    CHECK(LaneCursors{1500, 1000, 1400}.unacknowledged(2000) == 500);
    CHECK(lane_cursor_names("mqtt").live_start == "mqtt.live_start");
    CHECK(lane_cursor_names("mqtt").live == "mqtt.live");
}
