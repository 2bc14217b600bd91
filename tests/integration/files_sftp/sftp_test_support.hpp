#pragma once
// Shared by the files_sftp tests: deterministic file contents, remote path building,
// and a session on an SshdFixture.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

#include "gridgate/core/log.hpp"
#include "gridgate/files/sftp.hpp"
#include "gridgate/testing/sshd.hpp"
#include "gridgate/testing/temp_dir.hpp"

namespace gridgate::files::test {

// `size` pseudo-random bytes, the same for the same seed (binary, so a text-mode or
// encoding slip would show).
inline std::string random_bytes(std::size_t size, std::uint32_t seed = 7) {
    std::mt19937 gen(seed);
    std::string out(size, '\0');
    for (auto& c : out) c = static_cast<char>(gen() & 0xff);
    return out;
}

// A remote path for `name` under the fixture's root, as the client must spell it.
inline std::string remote(const testing::SshdFixture& sshd, const std::string& name) {
    return sshd.remote_base() + "/" + name;
}

inline std::uint64_t local_size(const std::filesystem::path& path) { return std::filesystem::file_size(path); }

}  // namespace gridgate::files::test
