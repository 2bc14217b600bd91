// FileSpool's quota (docs/files.md). Over quota_bytes the spool evicts down to 90 % of
// it, so that it does not run the eviction again at every new file:
//  - drop_oldest: the oldest files every sink delivered first, then the oldest of the
//    rest (lost northbound: counted as evicted_undelivered, audited, logged at warn);
//  - stop_intake: only files every sink delivered (never with no sinks: nothing is known
//    to be safe elsewhere); while the spool stays over the quota, intake stops until it
//    is back under 90 %, and the meters keep their files meanwhile.
// Each eviction is marked in the index (with its audit event) before the file is
// unlinked: a crash in between leaves a file that reconcile() removes.
#include <algorithm>

#include "file_spool.hpp"
#include "files_fs.hpp"

namespace gridgate::gateway {

namespace {

constexpr const char* kComponent = "spool";
constexpr std::size_t kCandidatePage = 256;

}  // namespace

bool FileSpool::intake_stopped() const {
    std::lock_guard lock(mutex_);
    return intake_stopped_;
}

bool FileSpool::delivered_by_all(std::uint64_t id) {
    if (sinks_.empty()) return false;
    const auto deliveries = index_.deliveries(id);
    return std::all_of(sinks_.begin(), sinks_.end(), [&](const std::string& sink) {
        return std::any_of(deliveries.begin(), deliveries.end(),
                           [&](const store::FileDelivery& d) { return d.sink == sink; });
    });
}

std::size_t FileSpool::enforce_quota() {
    std::lock_guard lock(mutex_);
    if (config_.quota_bytes == 0) {
        intake_stopped_ = false;
        return 0;
    }
    const std::uint64_t quota = config_.quota_bytes;
    const std::uint64_t low_water = quota - quota / 10;
    const bool stop_policy = config_.quota_policy == "stop_intake";
    std::uint64_t held = index_.counters().held_bytes;
    std::size_t evicted = 0;

    if (held > quota && !(stop_policy && sinks_.empty())) {
        bool progress = true;
        while (held > low_water && progress) {
            progress = false;
            for (const auto& file : index_.eviction_candidates(sinks_, kCandidatePage)) {
                if (held <= low_water) break;
                const bool delivered = delivered_by_all(file.id);
                // Candidates come delivered first: the first undelivered one ends the
                // files stop_intake may remove.
                if (stop_policy && !delivered) break;
                index_.mark_evicted(file.id, sinks_, clock_.now_utc_us());
                files_fs::remove_file(dir_ / file.spool_name);
                held -= std::min(held, file.size);
                ++evicted;
                progress = true;
                const std::string what = "evicted " + file.spool_name + " (" + std::to_string(file.size) +
                                         " bytes) under the spool quota";
                if (delivered)
                    logger_.info(kComponent, what);
                else
                    logger_.warn(kComponent, what + " before every file sink delivered it");
            }
        }
    }

    if (stop_policy) {
        if (held > quota && !intake_stopped_) {
            intake_stopped_ = true;
            logger_.warn(kComponent, "spool over its quota (" + std::to_string(held) + " of " + std::to_string(quota) +
                                         " bytes): intake stopped, meters keep their files");
        } else if (held < low_water && intake_stopped_) {
            intake_stopped_ = false;
            logger_.info(kComponent, "spool under 90 % of its quota again: intake resumed");
        }
    }
    return evicted;
}

}  // namespace gridgate::gateway
