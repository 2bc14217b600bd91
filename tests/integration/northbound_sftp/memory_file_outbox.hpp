#pragma once
// An in-memory FileOutbox (the store's file index) for testing the SFTP sink without
// SQLite: spooled files with increasing ids whose bytes live in a real local folder,
// delivery records per sink, and every mark_delivered call kept so tests can check
// that nothing was delivered twice. Thread-safe like the real one.
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/interfaces.hpp"

namespace gridgate::testing {

struct DeliveryRecord {
    std::string sink;
    std::uint64_t id = 0;
    std::string remote_path;
    std::string notice_json;
};

class MemoryFileOutbox final : public FileOutbox {
public:
    explicit MemoryFileOutbox(std::filesystem::path spool_dir);

    // Writes `bytes` to <spool>/<id>-<name> and spools it (sha256 computed here).
    SpooledFile add(std::string meter, std::string name, const std::string& bytes, TimestampUs received_us = 0,
                    std::string details_json = R"({"source":"test"})");

    std::optional<SpooledFile> next_undelivered(std::string_view sink, std::uint64_t after_id) override;
    void mark_delivered(std::string_view sink, std::uint64_t id, std::string_view remote_path,
                        std::string_view notice_json) override;

    std::size_t delivered_count(std::string_view sink) const;  // distinct files
    std::vector<DeliveryRecord> calls() const;                 // every mark_delivered call, in order
    bool delivered(std::string_view sink, std::uint64_t id) const;
    std::vector<SpooledFile> files() const;
    std::size_t lookups() const;  // next_undelivered calls so far

private:
    std::filesystem::path spool_dir_;
    mutable std::mutex mutex_;
    std::vector<SpooledFile> files_;  // id order
    std::map<std::pair<std::string, std::uint64_t>, DeliveryRecord, std::less<>> delivered_;
    std::vector<DeliveryRecord> calls_;
    std::size_t lookups_ = 0;
};

// Random bytes of a given size (a stand-in for a PQDIF file's content), reproducible per seed.
std::string random_bytes(std::size_t size, std::uint32_t seed);

}  // namespace gridgate::testing
