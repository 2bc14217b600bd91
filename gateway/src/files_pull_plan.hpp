#pragma once
// The PQDIF puller's decisions, kept pure (no SFTP, no clock of their own) so unit tests
// can drive them: which listed files have settled, how full the meter's FIFO is, and how
// a partial download is named.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/files/sftp.hpp"

namespace gridgate::gateway {

// The settle rule: a file is taken when a listing shows the same size and mtime as the
// listing that first showed them, at least `settle` earlier. A file therefore needs two
// listings; a file still growing keeps moving its first-seen time.
class SettleTracker {
public:
    struct Result {
        std::vector<files::RemoteEntry> ready;  // oldest mtime first (the FIFO overwrites those first)
        bool waiting = false;                   // some candidate has not settled yet
        SteadyTime next_ready{};                // when the earliest waiting one may be ready
    };

    explicit SettleTracker(Duration settle) : settle_(settle) {}
    // `candidates`: this listing's files not yet taken. Names not listed are forgotten.
    Result observe(const std::vector<files::RemoteEntry>& candidates, SteadyTime now);
    // After a failed download or verification: the file must settle again.
    void forget(const std::string& name) { seen_.erase(name); }

private:
    struct Seen {
        std::uint64_t size = 0;
        std::int64_t mtime_s = 0;
        SteadyTime first_seen{};
    };
    Duration settle_;
    std::map<std::string, Seen> seen_;
};

struct FifoFill {
    std::uint64_t remote_files = 0;   // files listed (matching the pattern)
    std::uint64_t remote_bytes = 0;
    std::uint64_t untaken_files = 0;  // listed files not yet indexed
    std::uint64_t untaken_bytes = 0;
    double fill = 0;                  // remote_bytes / capacity (0 with no capacity)
    bool warn = false;
};

// The warning rule (docs/files.md): with a known capacity, warn when the listed files
// fill at least warn_fill of it and at least one of them is at risk: not yet taken, or,
// with delete_after_forward (the operator relies on the gateway to make room), any
// listed file, since the gateway has not deleted it yet.
FifoFill assess_fifo(std::uint64_t remote_files, std::uint64_t remote_bytes, std::uint64_t untaken_files,
                     std::uint64_t untaken_bytes, std::uint64_t capacity_bytes, double warn_fill,
                     bool delete_after_forward);

// "<name>.<size>-<mtime>.part": the remote version is part of the name, so a partial
// of a file that changed since is never resumed, even after a restart.
std::string partial_file_name(const files::RemoteEntry& entry);

// `dir` + "/" + name, without doubling a trailing '/'; "." and "" give the bare name.
std::string remote_join(const std::string& dir, const std::string& name);

}  // namespace gridgate::gateway
