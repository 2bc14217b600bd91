// Priority, then round robin between addresses, then FIFO.
#include "gridgate/modbus/rtu_request_queue.hpp"

#include <algorithm>

namespace gridgate::modbus {

void RtuRequestQueue::push(QueuedRead read) {
    const auto level = static_cast<std::size_t>(read.call.priority);
    by_priority_[std::min(level, levels - 1)][read.call.unit_id].push_back(std::move(read));
    ++size_;
}

std::optional<QueuedRead> RtuRequestQueue::pop_next(const std::function<bool(std::uint8_t)>& eligible) {
    for (std::size_t i = levels; i-- > 0;) {
        Level& level = by_priority_[i];
        // The first eligible address after the one served last, wrapping around.
        auto pick = level.end();
        auto wrap = level.end();
        for (auto it = level.begin(); it != level.end(); ++it) {
            if (it->second.empty() || !eligible(it->first)) continue;
            if (wrap == level.end()) wrap = it;
            if (!last_served_ || it->first > *last_served_) {
                pick = it;
                break;
            }
        }
        if (pick == level.end()) pick = wrap;
        if (pick == level.end()) continue;

        QueuedRead read = std::move(pick->second.front());
        pick->second.pop_front();
        if (pick->second.empty()) level.erase(pick);
        last_served_ = read.call.unit_id;
        --size_;
        return read;
    }
    return std::nullopt;
}

std::vector<QueuedRead> RtuRequestQueue::take_unit(std::uint8_t unit) {
    std::vector<QueuedRead> out;
    for (Level& level : by_priority_) {
        const auto it = level.find(unit);
        if (it == level.end()) continue;
        for (auto& read : it->second) out.push_back(std::move(read));
        level.erase(it);
    }
    size_ -= out.size();
    return out;
}

std::vector<QueuedRead> RtuRequestQueue::take_all() {
    std::vector<QueuedRead> out;
    for (std::size_t i = levels; i-- > 0;) {
        for (auto& [unit, reads] : by_priority_[i])
            for (auto& read : reads) out.push_back(std::move(read));
        by_priority_[i].clear();
    }
    size_ = 0;
    return out;
}

std::vector<std::uint8_t> RtuRequestQueue::units() const {
    std::vector<std::uint8_t> out;
    for (const Level& level : by_priority_)
        for (const auto& [unit, reads] : level)
            if (!reads.empty()) out.push_back(unit);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace gridgate::modbus
