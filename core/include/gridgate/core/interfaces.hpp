#pragma once
// The small interfaces that let components meet without linking to each other:
// drivers produce into a ReadingSink, the store implements it and Outbox, and
// northbound sinks consume an Outbox. Only the gateway wires them together.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/reading.hpp"

namespace gridgate {

class ReadingSink {
public:
    virtual ~ReadingSink() = default;
    // Takes ownership of a batch. May block briefly for back-pressure; never drops
    // silently (see the store's quota policy).
    virtual void submit(std::vector<Reading> readings) = 0;
};

// Summary of what a sink has not yet had acknowledged.
struct BacklogInfo {
    std::uint64_t readings = 0;     // committed readings after the sink's cursor
    std::uint64_t cursor = 0;       // last acknowledged seq
    std::uint64_t last_seq = 0;     // last committed seq
    TimestampUs oldest_ts_us = 0;   // timestamp of the oldest unacknowledged reading (0 = none)
};

// The durable record a northbound sink reads from. All methods are thread-safe.
class Outbox {
public:
    virtual ~Outbox() = default;
    // Up to max_count committed readings with seq > after_seq, in seq order.
    virtual std::vector<StoredReading> read_after(std::uint64_t after_seq, std::size_t max_count) = 0;
    // Last seq the named sink has had acknowledged (0 if none).
    virtual std::uint64_t cursor(std::string_view sink) = 0;
    // Moves the sink's cursor forward to seq (never backward); durable on return.
    virtual void advance_cursor(std::string_view sink, std::uint64_t seq) = 0;
    // Highest committed seq (0 if empty).
    virtual std::uint64_t last_seq() = 0;
    virtual BacklogInfo backlog(std::string_view sink) = 0;
};

}  // namespace gridgate
