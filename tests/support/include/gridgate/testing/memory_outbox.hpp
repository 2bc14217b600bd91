#pragma once
// An in-memory Outbox (the store's role) for testing northbound sinks without SQLite:
// committed readings with gapless seqs, per-sink cursors, and a record of every cursor
// move so tests can check when and how far a sink advanced. Thread-safe like the real one.
// erase() drops readings as the store's disk-quota policy may (holes in seq).
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/interfaces.hpp"

namespace gridgate::testing {

class MemoryOutbox final : public Outbox {
public:
    // "Commits" readings, giving them the next seqs (1, 2, ...); returns the last seq.
    std::uint64_t append(std::vector<Reading> readings);

    std::vector<StoredReading> read_after(std::uint64_t after_seq, std::size_t max_count) override;
    std::uint64_t cursor(std::string_view sink) override;
    void advance_cursor(std::string_view sink, std::uint64_t seq) override;  // never backwards
    std::uint64_t last_seq() override;
    BacklogInfo backlog(std::string_view sink) override;

    // Every seq passed to advance_cursor for the sink, in call order.
    std::vector<std::uint64_t> cursor_history(std::string_view sink) const;
    // Sets a cursor directly (a sink restarting from an earlier run's position).
    void set_cursor(std::string_view sink, std::uint64_t seq);
    // Deletes the readings with first_seq <= seq <= last_seq (as a quota policy would);
    // seqs are never reused. Returns how many existed.
    std::size_t erase(std::uint64_t first_seq, std::uint64_t last_seq);
    std::size_t size() const;  // readings held

private:
    mutable std::mutex mutex_;
    std::vector<StoredReading> readings_;  // in seq order; gapless unless erase() was used
    std::uint64_t last_seq_ = 0;
    std::map<std::string, std::uint64_t, std::less<>> cursors_;
    std::map<std::string, std::vector<std::uint64_t>, std::less<>> history_;
};

// `count` synthetic readings for one meter: points "p0".."p<n-1>" with values 0.5, 1.5, ...,
// one second apart from start_ts, unit "kWh", good quality, source modbus_tcp.
std::vector<Reading> make_readings(std::size_t count, std::string_view meter = "meter-1",
                                   TimestampUs start_ts = 1'700'000'000'000'000);

}  // namespace gridgate::testing
