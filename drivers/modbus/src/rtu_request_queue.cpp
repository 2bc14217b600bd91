// Priority, then round robin between addresses (and other masters' stations), then FIFO.
#include "gridgate/modbus/rtu_request_queue.hpp"

#include <algorithm>

namespace gridgate::modbus {

Priority to_priority(transport::LinePriority p) {
    switch (p) {
        case transport::LinePriority::low: return Priority::low;
        case transport::LinePriority::normal: return Priority::normal;
        case transport::LinePriority::high: return Priority::high;
    }
    return Priority::normal;
}

void RtuRequestQueue::push(std::size_t level, Key key, QueuedItem item) {
    by_priority_[std::min(level, levels - 1)][key].push_back(std::move(item));
    ++size_;
}

void RtuRequestQueue::push(QueuedRead read) {
    const auto level = static_cast<std::size_t>(read.call.priority);
    const Key key = read.call.unit_id;
    push(level, key, std::move(read));
}

void RtuRequestQueue::push(QueuedTurn turn) {
    const auto level = static_cast<std::size_t>(to_priority(turn.request.priority));
    const Key key = turn_base + turn.request.station;
    push(level, key, std::move(turn));
}

std::optional<QueuedItem> RtuRequestQueue::pop(const std::function<bool(Key)>& eligible) {
    for (std::size_t i = levels; i-- > 0;) {
        Level& level = by_priority_[i];
        // The first eligible key after the one served last, wrapping around.
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

        QueuedItem item = std::move(pick->second.front());
        pick->second.pop_front();
        last_served_ = pick->first;
        if (pick->second.empty()) level.erase(pick);
        --size_;
        return item;
    }
    return std::nullopt;
}

std::optional<QueuedRead> RtuRequestQueue::pop_next(const std::function<bool(std::uint8_t)>& eligible) {
    auto item = pop([&](Key key) { return !is_turn(key) && eligible(static_cast<std::uint8_t>(key)); });
    if (!item) return std::nullopt;
    return std::get<QueuedRead>(std::move(*item));
}

std::optional<QueuedItem> RtuRequestQueue::pop_next_item(const std::function<bool(std::uint8_t)>& eligible) {
    return pop([&](Key key) { return is_turn(key) || eligible(static_cast<std::uint8_t>(key)); });
}

std::vector<QueuedRead> RtuRequestQueue::take_unit(std::uint8_t unit) {
    std::vector<QueuedRead> out;
    for (Level& level : by_priority_) {
        const auto it = level.find(Key{unit});
        if (it == level.end()) continue;
        for (auto& item : it->second) out.push_back(std::get<QueuedRead>(std::move(item)));
        level.erase(it);
    }
    size_ -= out.size();
    return out;
}

std::vector<QueuedItem> RtuRequestQueue::take_all() {
    std::vector<QueuedItem> out;
    for (std::size_t i = levels; i-- > 0;) {
        for (auto& [key, items] : by_priority_[i])
            for (auto& item : items) out.push_back(std::move(item));
        by_priority_[i].clear();
    }
    size_ = 0;
    return out;
}

std::vector<std::uint8_t> RtuRequestQueue::units() const {
    std::vector<std::uint8_t> out;
    for (const Level& level : by_priority_)
        for (const auto& [key, items] : level)
            if (!items.empty() && !is_turn(key)) out.push_back(static_cast<std::uint8_t>(key));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool RtuRequestQueue::has_turns() const {
    // Turn keys sort after every address, and a key without items is never kept.
    return std::any_of(by_priority_.begin(), by_priority_.end(),
                       [](const Level& level) { return level.lower_bound(turn_base) != level.end(); });
}

}  // namespace gridgate::modbus
