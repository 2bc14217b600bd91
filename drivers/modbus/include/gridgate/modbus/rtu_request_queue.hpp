#pragma once
// The order in which reads from all the meters on one RTU line get the line. Pure.
//
//   1. priority: every queued high read goes before any normal one, normal before low;
//   2. fairness: within a priority, slave addresses take turns (round robin, starting
//      after the address served last), so a meter with many blocks cannot hold the
//      line while its neighbours wait;
//   3. FIFO within one address and priority (a meter's blocks keep their order).
// Addresses the caller marks ineligible (e.g. waiting out a late-reply guard) are passed
// over without losing their place.
//
// Turns on the line for another protocol's master (transport::LineAccess, e.g. DNP3
// serial on the same RS-485 bus) queue with the reads: their LinePriority is the same
// scale, and their station takes part in the round robin as if it were one more slave
// address, in a key space of its own (station 1 is not unit 1). Turns are always eligible.
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <variant>
#include <vector>

#include "gridgate/modbus/client.hpp"
#include "gridgate/transport/line_access.hpp"

namespace gridgate::modbus {

struct QueuedRead {
    ReadCall call;
    ReadHandler handler;
};

// Another master waiting for the line.
struct QueuedTurn {
    transport::LineRequest request;
    transport::LineGrantHandler handler;
};

using QueuedItem = std::variant<QueuedRead, QueuedTurn>;

// The queue's scale for a line request's priority (the same order).
Priority to_priority(transport::LinePriority p);

class RtuRequestQueue {
public:
    void push(QueuedRead read);
    void push(QueuedTurn turn);

    // Removes and returns the next read to send, or nullopt if no eligible address has one.
    // Turns are passed over (this is for a caller that queues none).
    std::optional<QueuedRead> pop_next(const std::function<bool(std::uint8_t unit)>& eligible);
    // Removes and returns the next read or turn, in the one order of both.
    std::optional<QueuedItem> pop_next_item(const std::function<bool(std::uint8_t unit)>& eligible);

    std::vector<QueuedRead> take_unit(std::uint8_t unit);  // every read for that address
    std::vector<QueuedItem> take_all();                    // every read and turn

    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }             // reads and turns
    std::vector<std::uint8_t> units() const;  // addresses with queued reads, ascending
    bool has_turns() const;

private:
    // Slave addresses are keys 0..255, stations 2^32 up: one round robin, no collisions.
    using Key = std::uint64_t;
    static constexpr Key turn_base = Key{1} << 32;
    static bool is_turn(Key key) { return key >= turn_base; }
    using Level = std::map<Key, std::deque<QueuedItem>>;
    static constexpr std::size_t levels = 3;

    void push(std::size_t level, Key key, QueuedItem item);
    std::optional<QueuedItem> pop(const std::function<bool(Key)>& eligible);

    std::array<Level, levels> by_priority_;  // index = Priority value
    std::optional<Key> last_served_;
    std::size_t size_ = 0;
};

}  // namespace gridgate::modbus
