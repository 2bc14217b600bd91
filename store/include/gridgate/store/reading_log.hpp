#pragma once
// The durable reading log in SQLite (WAL). Gives each committed reading a gapless,
// monotonically increasing seq, keeps per-sink cursors, and implements Outbox for the
// northbound sinks. Thread-safe. Schema, seq and fsync policy: docs/store.md.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/reading.hpp"
#include "gridgate/core/time.hpp"
#include "gridgate/store/store_error.hpp"

namespace gridgate::store {

enum class SyncMode {
    full,    // fsync on every commit (PRAGMA synchronous=FULL): survives power cuts
    normal,  // WAL checkpoints synced only: survives process crashes, may lose the last commits on power cut
};

struct ReadingLogOptions {
    std::string path;               // database file (a real file: WAL needs one; not ":memory:")
    SyncMode sync = SyncMode::full;
    Duration busy_timeout = std::chrono::seconds(5);  // wait for another process's lock
};

struct SeqRange {
    std::uint64_t first = 0;  // 0,0 when nothing was appended
    std::uint64_t last = 0;

    std::uint64_t count() const { return last == 0 ? 0 : last - first + 1; }
    friend bool operator==(const SeqRange&, const SeqRange&) = default;
};

class ReadingLog final : public Outbox {
public:
    // Opens/creates and migrates. Throws StoreError when the file cannot be opened, is
    // not a database, fails PRAGMA quick_check, or has a newer schema version.
    explicit ReadingLog(ReadingLogOptions options);
    ~ReadingLog() override;
    ReadingLog(const ReadingLog&) = delete;
    ReadingLog& operator=(const ReadingLog&) = delete;

    static constexpr int schema_version = 1;

    // Appends all readings in one transaction; durable (per SyncMode) on return.
    // On failure the transaction is rolled back, nothing is assigned a seq, and
    // StoreError is thrown.
    SeqRange append(const std::vector<Reading>& readings);

    // Outbox
    std::vector<StoredReading> read_after(std::uint64_t after_seq, std::size_t max_count) override;
    std::uint64_t cursor(std::string_view sink) override;
    // Never moves backward; a seq beyond last_seq() is clamped to last_seq() so a sink
    // can never skip readings that are not yet written.
    void advance_cursor(std::string_view sink, std::uint64_t seq) override;
    std::uint64_t last_seq() override;
    BacklogInfo backlog(std::string_view sink) override;

    std::uint64_t reading_count();  // rows held

    const std::string& path() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridgate::store
