#include "gridgate/testing/memory_outbox.hpp"

#include <algorithm>

namespace gridgate::testing {

namespace {

// The first reading with seq > after.
std::vector<StoredReading>::const_iterator first_after(const std::vector<StoredReading>& readings,
                                                       std::uint64_t after) {
    return std::upper_bound(readings.begin(), readings.end(), after,
                            [](std::uint64_t seq, const StoredReading& r) { return seq < r.seq; });
}

}  // namespace

std::uint64_t MemoryOutbox::append(std::vector<Reading> readings) {
    std::lock_guard lock(mutex_);
    for (auto& reading : readings) readings_.push_back({++last_seq_, std::move(reading)});
    return last_seq_;
}

std::vector<StoredReading> MemoryOutbox::read_after(std::uint64_t after_seq, std::size_t max_count) {
    std::lock_guard lock(mutex_);
    const auto first = first_after(readings_, after_seq);
    const auto available = static_cast<std::size_t>(readings_.end() - first);
    return {first, first + static_cast<std::ptrdiff_t>(std::min(max_count, available))};
}

std::uint64_t MemoryOutbox::cursor(std::string_view sink) {
    std::lock_guard lock(mutex_);
    const auto it = cursors_.find(sink);
    return it == cursors_.end() ? 0 : it->second;
}

void MemoryOutbox::advance_cursor(std::string_view sink, std::uint64_t seq) {
    std::lock_guard lock(mutex_);
    auto& cursor = cursors_[std::string(sink)];
    cursor = std::max(cursor, seq);
    history_[std::string(sink)].push_back(seq);
}

std::uint64_t MemoryOutbox::last_seq() {
    std::lock_guard lock(mutex_);
    return last_seq_;
}

BacklogInfo MemoryOutbox::backlog(std::string_view sink) {
    const std::uint64_t sink_cursor = cursor(sink);
    std::lock_guard lock(mutex_);
    BacklogInfo info;
    info.cursor = sink_cursor;
    info.last_seq = last_seq_;
    const auto first = first_after(readings_, sink_cursor);
    info.readings = static_cast<std::uint64_t>(readings_.end() - first);
    // Like the store: the smallest timestamp waiting (refilled data can be older).
    for (auto it = first; it != readings_.end(); ++it)
        if (info.oldest_ts_us == 0 || it->reading.ts_us < info.oldest_ts_us) info.oldest_ts_us = it->reading.ts_us;
    return info;
}

std::vector<std::uint64_t> MemoryOutbox::cursor_history(std::string_view sink) const {
    std::lock_guard lock(mutex_);
    const auto it = history_.find(sink);
    return it == history_.end() ? std::vector<std::uint64_t>{} : it->second;
}

void MemoryOutbox::set_cursor(std::string_view sink, std::uint64_t seq) {
    std::lock_guard lock(mutex_);
    cursors_[std::string(sink)] = seq;
}

std::size_t MemoryOutbox::erase(std::uint64_t first_seq, std::uint64_t last_seq) {
    std::lock_guard lock(mutex_);
    const auto from = first_after(readings_, first_seq == 0 ? 0 : first_seq - 1);
    const auto to = first_after(readings_, last_seq);
    if (from >= to) return 0;
    const auto count = static_cast<std::size_t>(to - from);
    readings_.erase(from, to);
    return count;
}

std::size_t MemoryOutbox::size() const {
    std::lock_guard lock(mutex_);
    return readings_.size();
}

std::vector<Reading> make_readings(std::size_t count, std::string_view meter, TimestampUs start_ts) {
    std::vector<Reading> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        Reading r;
        r.meter = std::string(meter);
        r.point = "p" + std::to_string(i);
        r.ts_us = start_ts + static_cast<TimestampUs>(i) * 1'000'000;
        r.value = static_cast<double>(i) + 0.5;
        r.unit = "kWh";
        r.quality = quality::good;
        r.source = Source::modbus_tcp;
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace gridgate::testing
