#include "gridgate/sim/dnp3_events.hpp"

#include <algorithm>

namespace gridgate::sim {

namespace {
bool listed(std::span<const std::uint64_t> ids, std::uint64_t id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}
}  // namespace

bool Dnp3EventBuffer::add(std::uint32_t index, std::uint32_t value, std::uint64_t time_ms) {
    if (events_.size() >= capacity_) {
        overflow_ = true;
        return false;
    }
    events_.push_back(Entry{FrozenCounterEvent{next_id_++, index, value, time_ms}, false});
    return true;
}

std::vector<FrozenCounterEvent> Dnp3EventBuffer::unselected(std::size_t max) const {
    std::vector<FrozenCounterEvent> out;
    for (const Entry& e : events_) {
        if (out.size() >= max) break;
        if (!e.selected) out.push_back(e.event);
    }
    return out;
}

void Dnp3EventBuffer::select(std::span<const std::uint64_t> ids) {
    for (Entry& e : events_)
        if (listed(ids, e.event.id)) e.selected = true;
}

void Dnp3EventBuffer::release_all() {
    for (Entry& e : events_) e.selected = false;
}

std::size_t Dnp3EventBuffer::confirm(std::span<const std::uint64_t> ids) {
    const std::size_t before = events_.size();
    std::erase_if(events_, [ids](const Entry& e) { return listed(ids, e.event.id); });
    const std::size_t removed = before - events_.size();
    if (removed != 0) overflow_ = false;
    return removed;
}

bool Dnp3EventBuffer::has_unselected() const {
    return std::any_of(events_.begin(), events_.end(), [](const Entry& e) { return !e.selected; });
}

}  // namespace gridgate::sim
