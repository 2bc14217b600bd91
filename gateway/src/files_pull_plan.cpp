#include "files_pull_plan.hpp"

#include <algorithm>

namespace gridgate::gateway {

SettleTracker::Result SettleTracker::observe(const std::vector<files::RemoteEntry>& candidates, SteadyTime now) {
    Result result;
    std::map<std::string, Seen> next;
    for (const auto& entry : candidates) {
        const auto it = seen_.find(entry.name);
        const bool unchanged =
            it != seen_.end() && it->second.size == entry.size && it->second.mtime_s == entry.mtime_s;
        const Seen seen{entry.size, entry.mtime_s, unchanged ? it->second.first_seen : now};
        if (unchanged && now - seen.first_seen >= settle_) {
            result.ready.push_back(entry);
        } else {
            const SteadyTime ready_at = seen.first_seen + settle_;
            if (!result.waiting || ready_at < result.next_ready) result.next_ready = ready_at;
            result.waiting = true;
        }
        next.emplace(entry.name, seen);
    }
    seen_ = std::move(next);
    std::stable_sort(result.ready.begin(), result.ready.end(),
                     [](const files::RemoteEntry& a, const files::RemoteEntry& b) {
                         return a.mtime_s != b.mtime_s ? a.mtime_s < b.mtime_s : a.name < b.name;
                     });
    return result;
}

FifoFill assess_fifo(std::uint64_t remote_files, std::uint64_t remote_bytes, std::uint64_t untaken_files,
                     std::uint64_t untaken_bytes, std::uint64_t capacity_bytes, double warn_fill,
                     bool delete_after_forward) {
    FifoFill f;
    f.remote_files = remote_files;
    f.remote_bytes = remote_bytes;
    f.untaken_files = untaken_files;
    f.untaken_bytes = untaken_bytes;
    if (capacity_bytes == 0) return f;
    f.fill = static_cast<double>(remote_bytes) / static_cast<double>(capacity_bytes);
    const bool at_risk = untaken_files > 0 || (delete_after_forward && remote_files > 0);
    f.warn = at_risk && f.fill >= warn_fill;
    return f;
}

std::string partial_file_name(const files::RemoteEntry& entry) {
    return entry.name + "." + std::to_string(entry.size) + "-" + std::to_string(entry.mtime_s) + ".part";
}

std::string remote_join(const std::string& dir, const std::string& name) {
    if (dir.empty() || dir == ".") return name;
    if (dir.back() == '/') return dir + name;
    return dir + "/" + name;
}

}  // namespace gridgate::gateway
