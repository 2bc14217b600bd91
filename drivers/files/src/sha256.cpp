#include "gridgate/files/sha256.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace gridgate::files {

struct Sha256::Impl {
    EVP_MD_CTX* ctx = nullptr;
    bool finished = false;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
    impl_->ctx = EVP_MD_CTX_new();
    if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(impl_->ctx);
        throw std::runtime_error("SHA-256: OpenSSL digest init failed");
    }
}

Sha256::~Sha256() { EVP_MD_CTX_free(impl_->ctx); }

void Sha256::update(std::span<const std::byte> bytes) {
    if (impl_->finished) throw std::logic_error("SHA-256: update after hex_digest");
    if (bytes.empty()) return;
    if (EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size()) != 1)
        throw std::runtime_error("SHA-256: OpenSSL digest update failed");
}

std::string Sha256::hex_digest() {
    if (impl_->finished) throw std::logic_error("SHA-256: hex_digest called twice");
    impl_->finished = true;
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(impl_->ctx, digest.data(), &length) != 1)
        throw std::runtime_error("SHA-256: OpenSSL digest final failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 0x0f]);
    }
    return out;
}

std::string sha256_hex(std::span<const std::byte> bytes) {
    Sha256 hash;
    hash.update(bytes);
    return hash.hex_digest();
}

std::string sha256_file(const std::filesystem::path& path, std::uint64_t length) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("SHA-256: cannot open " + path.string());
    Sha256 hash;
    std::vector<char> buffer(256 * 1024);
    std::uint64_t remaining = length;
    while (remaining > 0) {
        const auto want = static_cast<std::streamsize>(std::min<std::uint64_t>(buffer.size(), remaining));
        in.read(buffer.data(), want);
        const auto got = in.gcount();
        if (got > 0) {
            hash.update(std::as_bytes(std::span(buffer.data(), static_cast<std::size_t>(got))));
            if (length != UINT64_MAX) remaining -= static_cast<std::uint64_t>(got);
        }
        if (got < want) {
            if (in.bad()) throw std::runtime_error("SHA-256: read error in " + path.string());
            if (length != UINT64_MAX)
                throw std::runtime_error("SHA-256: " + path.string() + " is shorter than " + std::to_string(length) +
                                         " bytes");
            break;  // whole file hashed
        }
    }
    return hash.hex_digest();
}

}  // namespace gridgate::files
