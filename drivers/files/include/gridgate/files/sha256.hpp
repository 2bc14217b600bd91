#pragma once
// SHA-256 of files and byte ranges (OpenSSL EVP), lowercase hex.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

namespace gridgate::files {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::span<const std::byte> bytes);
    std::string hex_digest();  // finishes; the object can then only be destroyed

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

std::string sha256_hex(std::span<const std::byte> bytes);
// Of the first `length` bytes of a file (all of it when length is npos). Throws
// std::runtime_error when the file cannot be read or is shorter.
std::string sha256_file(const std::filesystem::path& path, std::uint64_t length = UINT64_MAX);

}  // namespace gridgate::files
