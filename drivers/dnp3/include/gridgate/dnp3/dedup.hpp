#pragma once
// Recognising events an outstation sends again. A DNP3 outstation keeps its events until
// the master confirms them; when a confirm is withheld (the readings were not stored in
// time) or lost on the way back, the same events come again in a later poll. Readings
// whose timestamp came from the meter (time-tagged events and statics) are identified by
// (meter, point, timestamp, value): a repeat of such a key is that resend, not new data.
// Gateway-timestamped readings are never duplicates. Pure.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "gridgate/core/reading.hpp"

namespace gridgate::dnp3 {

class EventDeduplicator {
public:
    static constexpr std::size_t default_capacity = 20000;

    // Remembers up to `capacity_per_meter` keys per meter; the oldest are forgotten first.
    explicit EventDeduplicator(std::size_t capacity_per_meter = default_capacity);

    // Remembers readings already stored, oldest first (the gateway feeds the tail of the
    // store at start, so a resend across a gateway restart is recognised too).
    void seed(const std::vector<Reading>& stored);

    // Drops from `readings` (and from `meter_time`, kept aligned: meter_time[i] says
    // whether readings[i]'s timestamp came from the meter) every meter-timestamped reading
    // whose key is remembered or repeats one earlier in the same call. Returns how many
    // were dropped. Remembers nothing: call remember() once the remaining readings are
    // durably stored, so readings whose store failed are not taken for duplicates when
    // the outstation sends them again.
    std::size_t filter(std::vector<Reading>& readings, std::vector<bool>& meter_time);
    // Remembers the meter-timestamped readings among `readings` (after they are stored).
    void remember(const std::vector<Reading>& readings, const std::vector<bool>& meter_time);

    bool known(const Reading& reading) const;
    std::size_t remembered(const std::string& meter) const;
    std::uint64_t dropped() const { return dropped_; }
    std::size_t capacity() const { return capacity_; }

private:
    struct Key {
        std::string point;
        TimestampUs ts_us = 0;
        std::uint64_t value_bits = 0;
        friend bool operator==(const Key&, const Key&) = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const;
    };
    struct PerMeter {
        std::unordered_set<Key, KeyHash> keys;
        std::deque<Key> order;  // oldest first, for forgetting
    };
    static Key key_of(const Reading& r);
    void add(const Reading& r);

    std::size_t capacity_;
    std::map<std::string, PerMeter, std::less<>> meters_;
    std::uint64_t dropped_ = 0;
};

}  // namespace gridgate::dnp3
