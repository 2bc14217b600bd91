// FileSpool::status_json: what `gridgatectl files` shows. A file's state:
//   "evicted"   the quota deleted the spooled copy;
//   "forwarded" every file sink delivered it;
//   "pending"   file sinks are configured and at least one has not delivered it yet;
//   "spooled"   held, with no file sink configured (nothing will forward it).
#include <algorithm>
#include <deque>

#include <nlohmann/json.hpp>

#include "file_spool.hpp"
#include "gridgate/files/pqdif_name.hpp"

namespace gridgate::gateway {

namespace {

constexpr std::size_t kPage = 500;

nlohmann::json iso_or_null(TimestampUs ts) {
    return ts == 0 ? nlohmann::json(nullptr) : nlohmann::json(format_iso8601_utc(ts));
}

}  // namespace

std::string FileSpool::status_json(std::size_t max_files) const {
    const auto counters = index_.counters();

    // Ids grow by one per file added, so the newest max_files start near files_added;
    // paging on from there keeps whatever was added meanwhile.
    std::deque<store::FileRecord> newest;
    std::uint64_t after = counters.files_added > max_files ? counters.files_added - max_files : 0;
    while (max_files > 0) {
        const auto page = index_.list(after, kPage);
        for (const auto& r : page) {
            newest.push_back(r);
            if (newest.size() > max_files) newest.pop_front();
        }
        if (page.size() < kPage) break;
        after = page.back().id;
    }

    nlohmann::json files = nlohmann::json::array();
    for (auto it = newest.rbegin(); it != newest.rend(); ++it) {
        const auto& r = *it;
        nlohmann::json deliveries = nlohmann::json::array();
        std::size_t delivered_sinks = 0;
        for (const auto& d : index_.deliveries(r.id)) {
            deliveries.push_back({{"sink", d.sink}, {"at", iso_or_null(d.delivered_us)}, {"remote_path", d.remote_path}});
            if (std::find(sinks_.begin(), sinks_.end(), d.sink) != sinks_.end()) ++delivered_sinks;
        }
        std::string state = "spooled";
        if (r.evicted)
            state = "evicted";
        else if (!sinks_.empty())
            state = delivered_sinks >= sinks_.size() ? "forwarded" : "pending";
        files.push_back({{"id", r.id},
                         {"meter", r.meter},
                         {"name", r.name},
                         {"size", r.size},
                         {"sha256", r.sha256},
                         {"source", r.source},
                         {"received", iso_or_null(r.received_us)},
                         {"type", r.type_bits == 0 ? std::string() : files::describe_pqdif_type(r.type_bits)},
                         {"well_formed", r.well_formed},
                         {"state", state},
                         {"deliveries", std::move(deliveries)},
                         {"deleted_on_meter", r.deleted_on_meter}});
    }

    const nlohmann::json status = {{"directory", dir_.string()},
                                   {"quota_bytes", config_.quota_bytes},
                                   {"policy", config_.quota_policy},
                                   {"held_files", counters.held_files},
                                   {"held_bytes", counters.held_bytes},
                                   {"evicted_delivered", counters.evicted_delivered},
                                   {"evicted_undelivered", counters.evicted_undelivered},
                                   {"intake_stopped", intake_stopped()},
                                   {"files", std::move(files)}};
    return status.dump();
}

}  // namespace gridgate::gateway
