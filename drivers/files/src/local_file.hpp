#pragma once
// A local file under transfer: positioned reads and writes, truncate, fsync; failures
// become SshError(local_io) naming the file and the remote end.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>

#include "gridgate/files/sftp.hpp"

namespace gridgate::files::detail {

class LocalFile {
public:
    LocalFile(const std::filesystem::path& path, int flags, const std::string& where) : path_(path), where_(where) {
        fd_ = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
        if (fd_ < 0) fail("open");
    }
    ~LocalFile() {
        if (fd_ >= 0) ::close(fd_);
    }
    LocalFile(const LocalFile&) = delete;
    LocalFile& operator=(const LocalFile&) = delete;

    [[noreturn]] void fail(const char* what) const {
        throw SshError(SshErrorKind::local_io,
                       where_ + ": local file " + path_.string() + ": " + what + ": " + std::strerror(errno));
    }
    std::uint64_t size() const {
        struct stat st {};
        if (::fstat(fd_, &st) != 0) fail("fstat");
        return static_cast<std::uint64_t>(st.st_size);
    }
    void truncate(std::uint64_t size) const {
        if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) fail("truncate");
    }
    void write_at(std::uint64_t offset, std::span<const std::byte> bytes) const {
        while (!bytes.empty()) {
            const ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) fail("write");
            bytes = bytes.subspan(static_cast<std::size_t>(n));
            offset += static_cast<std::uint64_t>(n);
        }
    }
    void read_at(std::uint64_t offset, std::span<std::byte> bytes) const {
        while (!bytes.empty()) {
            const ssize_t n = ::pread(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail("read");
            if (n == 0) {
                errno = 0;
                fail("read (file shrank while being uploaded)");
            }
            bytes = bytes.subspan(static_cast<std::size_t>(n));
            offset += static_cast<std::uint64_t>(n);
        }
    }
    void sync() const {
        if (::fsync(fd_) != 0) fail("fsync");
    }

private:
    std::filesystem::path path_;
    std::string where_;
    int fd_ = -1;
};

}  // namespace gridgate::files::detail
