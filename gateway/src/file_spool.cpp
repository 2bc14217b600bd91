#include "file_spool.hpp"

#include <stdexcept>

#include "files_fs.hpp"
#include "gridgate/files/pqdif.hpp"
#include "gridgate/files/pqdif_name.hpp"
#include "gridgate/files/sha256.hpp"

namespace gridgate::gateway {

namespace fs = std::filesystem;

namespace {

constexpr const char* kComponent = "spool";
constexpr const char* kUnassigned = "_unassigned";  // folder of files no configured meter claimed
constexpr int kMaxNameVariants = 1000;

// "<stem>~<n><ext>": keeps the extension so tools still recognise a .pqd file.
std::string variant_name(const std::string& name, int n) {
    const fs::path p(name);
    return p.stem().string() + "~" + std::to_string(n) + p.extension().string();
}

// Keeps a staging name readable and a single path component whatever the hint holds.
std::string sanitize_hint(std::string_view hint) {
    std::string out;
    for (char c : hint.substr(0, 80)) out += (c == '/' || c == '\0') ? '_' : c;
    return out;
}

}  // namespace

FileSpool::FileSpool(SpoolConfig config, store::FileIndex& index, std::vector<std::string> sinks,
                     const Clock& clock, Logger& logger)
    : config_(std::move(config)), dir_(config_.directory), index_(index), sinks_(std::move(sinks)),
      clock_(clock), logger_(logger) {
    if (config_.directory.empty() || !dir_.is_absolute())
        throw std::invalid_argument("spool directory must be an absolute path: '" + config_.directory + "'");
    if (config_.quota_policy != "drop_oldest" && config_.quota_policy != "stop_intake")
        throw std::invalid_argument("unknown spool quota policy '" + config_.quota_policy + "'");
    files_fs::make_dirs_synced(dir_);
    files_fs::make_dirs_synced(staging_dir());
}

const fs::path& FileSpool::directory() const { return dir_; }

fs::path FileSpool::staging_dir() const { return dir_ / ".staging"; }

fs::path FileSpool::pull_partial_dir(std::string_view meter) const {
    return staging_dir() / "pull" / (meter.empty() ? std::string(kUnassigned) : std::string(meter));
}

fs::path FileSpool::new_staging_path(std::string_view hint) {
    std::lock_guard lock(mutex_);
    // The wall time makes names unique across restarts too (leftovers are only removed
    // by reconcile()); the counter within one process.
    while (true) {
        const auto candidate = staging_dir() / ("in-" + std::to_string(clock_.now_utc_us()) + "-" +
                                                std::to_string(++staging_counter_) + "-" + sanitize_hint(hint));
        if (!fs::exists(candidate)) return candidate;
    }
}

fs::path FileSpool::meter_dir(const std::string& meter) const {
    if (meter.empty()) return dir_ / kUnassigned;
    if (!files_fs::is_plain_name(meter) || meter.front() == '.')
        throw std::invalid_argument("meter id '" + meter + "' cannot name a spool folder");
    return dir_ / meter;
}

store::FileRecord FileSpool::describe(const fs::path& path, const std::string& meter, const std::string& name,
                                      const std::string& source, std::int64_t meter_mtime_s) const {
    const auto bytes = files_fs::read_all(path);
    const auto summary = files::check_pqdif(bytes);
    store::FileRecord record;
    record.meter = meter;
    record.name = name;
    record.size = bytes.size();
    record.sha256 = files::sha256_hex(bytes);
    record.source = source;
    record.meter_mtime_s = meter_mtime_s;
    record.received_us = clock_.now_utc_us();
    record.well_formed = summary.well_formed;
    record.check_json = summary.to_json();
    if (const auto parsed = files::parse_pqdif_name(name)) {
        record.type_bits = parsed->type_bits;
        record.name_time_us = parsed->time_us();
    }
    return record;
}

FileSpool::Resolved FileSpool::resolve_name(const std::string& meter, const std::string& name,
                                            const std::string& sha256) {
    for (int n = 0; n <= kMaxNameVariants; ++n) {
        const std::string candidate = n == 0 ? name : variant_name(name, n);
        auto existing = index_.find(meter, candidate);
        if (!existing) return {candidate, std::nullopt};
        if (existing->sha256 == sha256) return {candidate, std::move(existing)};
    }
    throw std::runtime_error("more than " + std::to_string(kMaxNameVariants) + " different files named '" + name +
                             "' from meter '" + meter + "'");
}

SpoolAdmit FileSpool::admit(const SpoolIntake& intake) { return admit_file(intake, nullptr, {}); }

SpoolAdmit FileSpool::admit_with_event(const std::optional<SpoolIntake>& intake, std::string_view event_kind,
                                       std::string_view event_detail_json) {
    const std::string kind(event_kind);
    if (intake) return admit_file(*intake, &kind, event_detail_json);
    SpoolAdmit result;
    result.add = index_.add_with_event(std::nullopt, kind, event_detail_json);
    return result;
}

SpoolAdmit FileSpool::admit_file(const SpoolIntake& intake, const std::string* event_kind,
                                 std::string_view event_detail) {
    if (!files_fs::is_plain_name(intake.name))
        throw std::invalid_argument("file name '" + intake.name + "' is not a plain name");
    const fs::path folder = meter_dir(intake.meter);
    // Hashing and checking need no lock: the staged file is the caller's alone.
    files_fs::fsync_file(intake.staged);
    store::FileRecord record = describe(intake.staged, intake.meter, intake.name, intake.source, intake.meter_mtime_s);

    SpoolAdmit result;
    {
        std::lock_guard lock(mutex_);
        auto resolved = resolve_name(intake.meter, intake.name, record.sha256);
        if (resolved.duplicate) {
            result.add = event_kind ? index_.add_with_event(std::nullopt, *event_kind, event_detail)
                                    : store::FileAdd{};
            result.add.id = resolved.duplicate->id;
            result.add.added = false;
            result.stored_name = resolved.stored_name;
            result.duplicate = true;
            result.well_formed = resolved.duplicate->well_formed;
            files_fs::remove_file(intake.staged);
            logger_.info(kComponent, "'" + intake.name + "' from " + intake.source + " (meter '" + intake.meter +
                                         "') is already spooled as '" + resolved.stored_name + "': dropped");
            return result;
        }
        if (resolved.stored_name != intake.name)
            logger_.warn(kComponent, "meter '" + intake.meter + "' sent a different file named '" + intake.name +
                                         "' (sha256 " + record.sha256 + "): stored as '" + resolved.stored_name + "'");
        record.name = resolved.stored_name;
        record.spool_name = folder.filename().string() + "/" + resolved.stored_name;
        const fs::path target = folder / resolved.stored_name;
        files_fs::make_dirs_synced(folder);
        fs::rename(intake.staged, target);
        files_fs::fsync_dir(folder);
        files_fs::fsync_dir(intake.staged.parent_path());
        try {
            result.add = event_kind ? index_.add_with_event(record, *event_kind, event_detail) : index_.add(record);
        } catch (...) {
            // The contract: on failure the staged file is still there for the caller.
            std::error_code ignored;
            fs::rename(target, intake.staged, ignored);
            throw;
        }
        result.stored_name = resolved.stored_name;
        result.well_formed = record.well_formed;
    }
    logger_.info(kComponent, "spooled " + record.spool_name + " (" + std::to_string(record.size) + " bytes, " +
                                 intake.source + (record.well_formed ? "" : ", not well-formed PQDIF") + ")");
    try {
        enforce_quota();
    } catch (const std::exception& e) {
        logger_.warn(kComponent, std::string("quota check failed: ") + e.what());
    }
    return result;
}

std::size_t FileSpool::reconcile() {
    std::lock_guard lock(mutex_);
    // A crash between staging and the index leaves either a staged file (its source
    // still holds it: the meter, the inbox or the HTTPS client that got no 200) or a
    // spooled file without a row.
    for (const auto& entry : fs::directory_iterator(staging_dir())) {
        if (entry.path().filename() == "pull" && entry.is_directory()) continue;
        logger_.info(kComponent, "removing staging leftover " + entry.path().filename().string());
        fs::remove_all(entry.path());
    }
    std::size_t recovered = 0;
    for (const auto& folder : fs::directory_iterator(dir_)) {
        const std::string folder_name = folder.path().filename().string();
        if (!folder.is_directory() || folder_name.front() == '.') continue;
        const std::string meter = folder_name == kUnassigned ? std::string() : folder_name;
        for (const auto& file : fs::directory_iterator(folder.path())) {
            if (!file.is_regular_file()) continue;
            const std::string name = file.path().filename().string();
            if (const auto row = index_.find(meter, name)) {
                // Evicted in the index but still here: the crash came before the unlink.
                if (row->evicted) files_fs::remove_file(file.path());
                continue;
            }
            store::FileRecord record = describe(file.path(), meter, name, "recovered", 0);
            record.spool_name = folder_name + "/" + name;
            index_.add(record);
            ++recovered;
            logger_.warn(kComponent, "indexed " + record.spool_name + " found in the spool without an index row");
        }
    }
    return recovered;
}

}  // namespace gridgate::gateway
