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
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "gridgate/modbus/client.hpp"

namespace gridgate::modbus {

struct QueuedRead {
    ReadCall call;
    ReadHandler handler;
};

class RtuRequestQueue {
public:
    void push(QueuedRead read);

    // Removes and returns the next read to send, or nullopt if no eligible address has one.
    std::optional<QueuedRead> pop_next(const std::function<bool(std::uint8_t unit)>& eligible);

    std::vector<QueuedRead> take_unit(std::uint8_t unit);  // every read for that address
    std::vector<QueuedRead> take_all();

    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    std::vector<std::uint8_t> units() const;  // addresses with queued reads, ascending

private:
    using Level = std::map<std::uint8_t, std::deque<QueuedRead>>;
    static constexpr std::size_t levels = 3;

    std::array<Level, levels> by_priority_;  // index = Priority value
    std::optional<std::uint8_t> last_served_;
    std::size_t size_ = 0;
};

}  // namespace gridgate::modbus
