#pragma once
// A spool on a fresh database in a temporary folder, and PQDIF files to feed it, for the
// gateway file tests (unit and integration).
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "file_spool.hpp"
#include "gridgate/files/pqdif.hpp"
#include "gridgate/files/sha256.hpp"
#include "gridgate/store/file_index.hpp"
#include "gridgate/store/reading_log.hpp"
#include "gridgate/testing/recording_logger.hpp"
#include "gridgate/testing/temp_dir.hpp"

namespace gridgate::gateway::test {

// A small well-formed PQDIF file; `seed` varies the values (and so the sha256).
inline std::vector<std::byte> pqdif_bytes(int seed, std::size_t samples = 64) {
    files::PqdifFileSpec spec;
    spec.title = "test.pqd";
    spec.serial = "142300003";
    spec.created_us = 1'454'408'745'133'724;
    files::PqdifObservationSpec obs;
    obs.name = "Sag";
    obs.start_us = spec.created_us;
    files::PqdifSeriesSpec va;
    va.channel_name = "Va";
    for (std::size_t i = 0; i < samples; ++i) va.values.push_back(static_cast<double>(seed) + static_cast<double>(i));
    obs.channels.push_back(va);
    spec.observations.push_back(obs);
    return files::write_pqdif(spec);
}

// The reference meter's naming: <serial>_<unix seconds>_<µs>_<type>.pqd
inline std::string pqdif_name(int index, int type = 7) {
    return "142300003_" + std::to_string(1'454'408'745 + index) + "_133724_" + (type < 10 ? "0" : "") +
           std::to_string(type) + ".pqd";
}

inline void write_file(const std::filesystem::path& path, const std::vector<std::byte>& bytes) {
    std::filesystem::create_directories(path.parent_path());
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot write " + path.string());
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
}

inline std::string sha_of(const std::vector<std::byte>& bytes) { return files::sha256_hex(bytes); }

class SpoolEnv {
public:
    explicit SpoolEnv(SpoolConfig config = {}, std::vector<std::string> sinks = {}, const Clock* clock = nullptr)
        : sinks_(std::move(sinks)) {
        const auto db = dir.path() / "gridgate.db";
        log = std::make_unique<store::ReadingLog>(store::ReadingLogOptions{db.string()});
        if (config.directory.empty()) config.directory = (dir.path() / "spool").string();
        index = std::make_unique<store::FileIndex>(db.string(), config.directory);
        spool = std::make_unique<FileSpool>(config, *index, sinks_, clock ? *clock : system_clock_, logger);
    }

    // A staged copy of `bytes`, ready for admit().
    std::filesystem::path stage(const std::string& hint, const std::vector<std::byte>& bytes) {
        const auto path = spool->new_staging_path(hint);
        write_file(path, bytes);
        return path;
    }

    SpoolAdmit admit(const std::string& meter, const std::string& name, const std::vector<std::byte>& bytes,
                     const std::string& source = "sftp_pull") {
        SpoolIntake intake;
        intake.meter = meter;
        intake.name = name;
        intake.source = source;
        intake.meter_mtime_s = 1'454'408'800;
        intake.staged = stage(name, bytes);
        return spool->admit(intake);
    }

    testing::TempDir dir{"gg-gwfiles"};
    testing::RecordingLogger logger{LogLevel::info, false};
    std::unique_ptr<store::ReadingLog> log;
    std::unique_ptr<store::FileIndex> index;
    std::unique_ptr<FileSpool> spool;

private:
    SystemClock system_clock_;
    std::vector<std::string> sinks_;
};

}  // namespace gridgate::gateway::test
