#include "memory_file_outbox.hpp"

#include <fstream>
#include <random>
#include <span>
#include <stdexcept>

#include "gridgate/files/sha256.hpp"

namespace gridgate::testing {

MemoryFileOutbox::MemoryFileOutbox(std::filesystem::path spool_dir) : spool_dir_(std::move(spool_dir)) {
    std::filesystem::create_directories(spool_dir_);
}

SpooledFile MemoryFileOutbox::add(std::string meter, std::string name, const std::string& bytes,
                                  TimestampUs received_us, std::string details_json) {
    std::lock_guard lock(mutex_);
    SpooledFile f;
    f.id = files_.empty() ? 1 : files_.back().id + 1;
    f.meter = std::move(meter);
    f.local_path = (spool_dir_ / (std::to_string(f.id) + "-" + name)).string();
    f.name = std::move(name);
    f.size = bytes.size();
    f.sha256 = files::sha256_hex(std::as_bytes(std::span(bytes.data(), bytes.size())));
    f.received_us = received_us;
    f.details_json = std::move(details_json);
    std::ofstream out(f.local_path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + f.local_path);
    files_.push_back(f);
    return f;
}

std::optional<SpooledFile> MemoryFileOutbox::next_undelivered(std::string_view sink, std::uint64_t after_id) {
    std::lock_guard lock(mutex_);
    ++lookups_;
    for (const SpooledFile& f : files_)
        if (f.id > after_id && delivered_.count(std::pair(std::string(sink), f.id)) == 0) return f;
    return std::nullopt;
}

void MemoryFileOutbox::mark_delivered(std::string_view sink, std::uint64_t id, std::string_view remote_path,
                                      std::string_view notice_json) {
    std::lock_guard lock(mutex_);
    DeliveryRecord record{std::string(sink), id, std::string(remote_path), std::string(notice_json)};
    calls_.push_back(record);
    delivered_.emplace(std::pair(record.sink, id), std::move(record));  // a repeat changes nothing
}

std::size_t MemoryFileOutbox::delivered_count(std::string_view sink) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [key, record] : delivered_) n += key.first == sink ? 1 : 0;
    return n;
}

std::vector<DeliveryRecord> MemoryFileOutbox::calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
}

bool MemoryFileOutbox::delivered(std::string_view sink, std::uint64_t id) const {
    std::lock_guard lock(mutex_);
    return delivered_.count(std::pair(std::string(sink), id)) != 0;
}

std::vector<SpooledFile> MemoryFileOutbox::files() const {
    std::lock_guard lock(mutex_);
    return files_;
}

std::size_t MemoryFileOutbox::lookups() const {
    std::lock_guard lock(mutex_);
    return lookups_;
}

std::string random_bytes(std::size_t size, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::string out(size, '\0');
    for (char& c : out) c = static_cast<char>(rng() & 0xff);
    return out;
}

}  // namespace gridgate::testing
