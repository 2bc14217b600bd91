// EventDeduplicator: a bounded set of recent meter-timestamped reading keys per meter.
#include "gridgate/dnp3/dedup.hpp"

#include <algorithm>
#include <bit>
#include <functional>

namespace gridgate::dnp3 {

std::size_t EventDeduplicator::KeyHash::operator()(const Key& k) const {
    std::size_t h = std::hash<std::string>{}(k.point);
    // Boost's hash_combine mixing: cheap and spreads the two numeric fields.
    h ^= std::hash<std::int64_t>{}(k.ts_us) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= std::hash<std::uint64_t>{}(k.value_bits) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

EventDeduplicator::EventDeduplicator(std::size_t capacity_per_meter)
    : capacity_(std::max<std::size_t>(capacity_per_meter, 1)) {}

EventDeduplicator::Key EventDeduplicator::key_of(const Reading& r) {
    // +0.0 and -0.0 are the same reading.
    const double v = r.value == 0.0 ? 0.0 : r.value;
    return Key{r.point, r.ts_us, std::bit_cast<std::uint64_t>(v)};
}

void EventDeduplicator::add(const Reading& r) {
    PerMeter& m = meters_[r.meter];
    Key k = key_of(r);
    if (!m.keys.insert(k).second) return;
    m.order.push_back(std::move(k));
    while (m.order.size() > capacity_) {
        m.keys.erase(m.order.front());
        m.order.pop_front();
    }
}

void EventDeduplicator::seed(const std::vector<Reading>& stored) {
    for (const Reading& r : stored) add(r);
}

bool EventDeduplicator::known(const Reading& reading) const {
    const auto m = meters_.find(reading.meter);
    return m != meters_.end() && m->second.keys.count(key_of(reading)) != 0;
}

std::size_t EventDeduplicator::filter(std::vector<Reading>& readings, std::vector<bool>& meter_time) {
    meter_time.resize(readings.size(), false);
    std::map<std::string, std::unordered_set<Key, KeyHash>, std::less<>> in_call;
    std::size_t kept = 0;
    std::size_t dropped = 0;
    for (std::size_t i = 0; i < readings.size(); ++i) {
        bool duplicate = false;
        if (meter_time[i]) {
            duplicate = known(readings[i]) || !in_call[readings[i].meter].insert(key_of(readings[i])).second;
        }
        if (duplicate) {
            ++dropped;
            continue;
        }
        if (kept != i) {
            readings[kept] = std::move(readings[i]);
            meter_time[kept] = meter_time[i];
        }
        ++kept;
    }
    readings.resize(kept);
    meter_time.resize(kept);
    dropped_ += dropped;
    return dropped;
}

void EventDeduplicator::remember(const std::vector<Reading>& readings, const std::vector<bool>& meter_time) {
    for (std::size_t i = 0; i < readings.size() && i < meter_time.size(); ++i)
        if (meter_time[i]) add(readings[i]);
}

std::size_t EventDeduplicator::remembered(const std::string& meter) const {
    const auto m = meters_.find(meter);
    return m == meters_.end() ? 0 : m->second.order.size();
}

}  // namespace gridgate::dnp3
