#pragma once
// The durable reading log in SQLite (WAL). Gives each committed reading a gapless,
// monotonically increasing seq, keeps per-sink cursors, and implements Outbox for the
// northbound sinks. Thread-safe.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/reading.hpp"

namespace gridgate::store {

enum class SyncMode {
    full,    // fsync on every commit (PRAGMA synchronous=FULL): survives power cuts
    normal,  // WAL checkpoints synced only: survives process crashes, may lose the last commits on power cut
};

struct ReadingLogOptions {
    std::string path;               // database file
    SyncMode sync = SyncMode::full;
};

struct SeqRange {
    std::uint64_t first = 0;  // 0,0 when nothing was appended
    std::uint64_t last = 0;
};

// Thrown for setup errors (cannot open, newer schema version, corrupt file at open).
class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ReadingLog final : public Outbox {
public:
    explicit ReadingLog(ReadingLogOptions options);  // opens/creates and migrates
    ~ReadingLog() override;
    ReadingLog(const ReadingLog&) = delete;
    ReadingLog& operator=(const ReadingLog&) = delete;

    static constexpr int schema_version = 1;

    // Appends all readings in one transaction; durable (per SyncMode) on return.
    SeqRange append(const std::vector<Reading>& readings);

    // Outbox
    std::vector<StoredReading> read_after(std::uint64_t after_seq, std::size_t max_count) override;
    std::uint64_t cursor(std::string_view sink) override;
    void advance_cursor(std::string_view sink, std::uint64_t seq) override;
    std::uint64_t last_seq() override;
    BacklogInfo backlog(std::string_view sink) override;

    std::uint64_t reading_count();  // rows held

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridgate::store
