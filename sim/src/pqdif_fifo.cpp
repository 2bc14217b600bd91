// The meter's PQDIF storage is a FIFO: when a new recording does not fit, the oldest go.
#include <algorithm>
#include <optional>

#include "gridgate/files/pqdif_name.hpp"
#include "gridgate/sim/pqdif_recording.hpp"

namespace gridgate::sim {

std::vector<std::string> plan_pqdif_fifo(std::vector<PqdifFolderEntry> entries, std::uint64_t capacity_bytes,
                                         const std::vector<std::string>& keep) {
    if (capacity_bytes == 0) return {};
    struct Recording {
        TimestampUs time_us;
        const PqdifFolderEntry* entry;
    };
    std::vector<Recording> recordings;
    std::uint64_t total = 0;
    for (const PqdifFolderEntry& e : entries) {
        const std::optional<files::PqdifName> name = files::parse_pqdif_name(e.name);
        if (!name) continue;
        recordings.push_back(Recording{name->time_us(), &e});
        total += e.size;
    }
    std::sort(recordings.begin(), recordings.end(), [](const Recording& a, const Recording& b) {
        return a.time_us != b.time_us ? a.time_us < b.time_us : a.entry->name < b.entry->name;
    });
    std::vector<std::string> doomed;
    // The newest (last) recording is never deleted, even if it alone exceeds the capacity.
    for (std::size_t i = 0; i + 1 < recordings.size() && total > capacity_bytes; ++i) {
        const PqdifFolderEntry& e = *recordings[i].entry;
        if (std::find(keep.begin(), keep.end(), e.name) != keep.end()) continue;
        doomed.push_back(e.name);
        total -= e.size;
    }
    return doomed;
}

}  // namespace gridgate::sim
