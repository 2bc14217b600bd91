#include "gridgate/testing/memory_outbox.hpp"

#include <algorithm>

namespace gridgate::testing {

std::uint64_t MemoryOutbox::append(std::vector<Reading> readings) {
    std::lock_guard lock(mutex_);
    for (auto& reading : readings) readings_.push_back({readings_.size() + 1, std::move(reading)});
    return readings_.size();
}

std::vector<StoredReading> MemoryOutbox::read_after(std::uint64_t after_seq, std::size_t max_count) {
    std::lock_guard lock(mutex_);
    if (after_seq >= readings_.size()) return {};
    const auto first = readings_.begin() + static_cast<std::ptrdiff_t>(after_seq);
    const auto count = std::min<std::size_t>(max_count, readings_.size() - after_seq);
    return {first, first + static_cast<std::ptrdiff_t>(count)};
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
    return readings_.size();
}

BacklogInfo MemoryOutbox::backlog(std::string_view sink) {
    const std::uint64_t sink_cursor = cursor(sink);
    std::lock_guard lock(mutex_);
    BacklogInfo info;
    info.cursor = sink_cursor;
    info.last_seq = readings_.size();
    info.readings = info.last_seq > sink_cursor ? info.last_seq - sink_cursor : 0;
    if (info.readings > 0) info.oldest_ts_us = readings_[sink_cursor].reading.ts_us;
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
