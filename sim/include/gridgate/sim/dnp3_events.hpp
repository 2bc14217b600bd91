#pragma once
// The outstation's frozen-counter event buffer (class 1). An event stays until the
// master confirms the response that carried it. While a response is out, its events are
// "selected" (not offered again, not counted for IIN1.1); if the response is never
// confirmed they are released and go out again with the next event read.
//
// When the buffer is full a new event is lost (the newest is dropped, so the master still
// gets an unbroken run of the oldest), and IIN2.3 EVENT_BUFFER_OVERFLOW is raised until a
// confirm frees room again.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

namespace gridgate::sim {

struct FrozenCounterEvent {
    std::uint64_t id = 0;       // generation order, from 1
    std::uint32_t index = 0;    // wire index of the counter
    std::uint32_t value = 0;    // the counter at the freeze
    std::uint64_t time_ms = 0;  // the freeze time, meter clock (DNP3 time)
};

class Dnp3EventBuffer {
public:
    explicit Dnp3EventBuffer(std::size_t capacity) : capacity_(capacity) {}

    // Stores the event; false if the buffer is full (the event is lost, overflow set).
    bool add(std::uint32_t index, std::uint32_t value, std::uint64_t time_ms);

    // Up to `max` events not selected, oldest first.
    std::vector<FrozenCounterEvent> unselected(std::size_t max) const;
    void select(std::span<const std::uint64_t> ids);
    void release_all();  // the response carrying the selected events was abandoned
    // Removes the confirmed events; returns how many were removed.
    std::size_t confirm(std::span<const std::uint64_t> ids);

    std::size_t size() const { return events_.size(); }
    std::size_t capacity() const { return capacity_; }
    bool has_unselected() const;
    bool overflow() const { return overflow_; }

private:
    struct Entry {
        FrozenCounterEvent event;
        bool selected = false;
    };
    std::size_t capacity_;
    std::deque<Entry> events_;
    std::uint64_t next_id_ = 1;
    bool overflow_ = false;
};

}  // namespace gridgate::sim
