#pragma once
// An Outbox decorator that times live readings for the drain benchmark: each chunk
// committed during the drain is stamped (committed()), and the cursor write that covers
// its last seq (the backlog cursor, or the open live lane's cursor) stamps its delivery.
// Everything else is passed through to the real Outbox.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "gridgate/core/interfaces.hpp"

namespace gg_bench {

class TimedOutbox final : public gridgate::Outbox {
public:
    using Steady = std::chrono::steady_clock;

    TimedOutbox(gridgate::Outbox& inner, std::string sink) : inner_(inner), sink_(std::move(sink)) {}

    // Call right after the commit of first..last returned.
    void committed(std::uint64_t first, std::uint64_t last) {
        {
            std::lock_guard lock(mutex_);
            chunks_.push_back({first, last, Steady::now(), {}});
        }
        note_deliveries();  // the forwarder may have been quicker than this call
    }

    std::vector<gridgate::StoredReading> read_after(std::uint64_t after, std::size_t max_count) override {
        return inner_.read_after(after, max_count);
    }
    std::uint64_t cursor(std::string_view sink) override { return inner_.cursor(sink); }
    std::uint64_t last_seq() override { return inner_.last_seq(); }
    gridgate::BacklogInfo backlog(std::string_view sink) override { return inner_.backlog(sink); }

    void advance_cursor(std::string_view sink, std::uint64_t seq) override {
        inner_.advance_cursor(sink, seq);
        note_deliveries();
    }

    // Commit-to-acknowledgement latencies (seconds) of the chunks delivered so far.
    std::vector<double> latencies() const {
        std::lock_guard lock(mutex_);
        std::vector<double> out;
        for (const auto& chunk : chunks_)
            if (chunk.delivered != Steady::time_point{})
                out.push_back(std::chrono::duration<double>(chunk.delivered - chunk.committed).count());
        return out;
    }
    bool all_delivered() const {
        std::lock_guard lock(mutex_);
        return std::all_of(chunks_.begin(), chunks_.end(),
                           [](const Chunk& c) { return c.delivered != Steady::time_point{}; });
    }

private:
    struct Chunk {
        std::uint64_t first, last;
        Steady::time_point committed;
        Steady::time_point delivered;
    };

    // A chunk is delivered once the backlog cursor covers it, or once it lies in the
    // open live lane's acknowledged range.
    void note_deliveries() {
        const std::uint64_t cursor = inner_.cursor(sink_);
        const std::uint64_t live_start = inner_.cursor(sink_ + ".live_start");
        const std::uint64_t live = inner_.cursor(sink_ + ".live");
        const auto now = Steady::now();
        std::lock_guard lock(mutex_);
        for (auto& chunk : chunks_) {
            if (chunk.delivered != Steady::time_point{}) continue;
            const bool by_cursor = chunk.last <= cursor;
            const bool by_live = live_start > cursor && chunk.first > live_start && chunk.last <= live;
            if (by_cursor || by_live) chunk.delivered = now;
        }
    }

    gridgate::Outbox& inner_;
    std::string sink_;
    mutable std::mutex mutex_;
    std::vector<Chunk> chunks_;
};

}  // namespace gg_bench
