#include "files_fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace gridgate::gateway::files_fs {

namespace {

[[noreturn]] void fail(std::string_view what, const std::filesystem::path& path, int err) {
    throw std::runtime_error(std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

void fsync_opened(const std::filesystem::path& path, int flags) {
    Fd fd(::open(path.c_str(), flags | O_CLOEXEC));
    if (fd.get() < 0) fail("open", path, errno);
    if (::fsync(fd.get()) != 0) fail("fsync", path, errno);
}

void write_all(int fd, const char* data, std::size_t size, const std::filesystem::path& path) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("write", path, errno);
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

void copy_synced(const std::filesystem::path& from, const std::filesystem::path& to) {
    Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.get() < 0) fail("open", from, errno);
    Fd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
    if (out.get() < 0) fail("create", to, errno);
    char buffer[64 * 1024];
    while (true) {
        const ssize_t n = ::read(in.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("read", from, errno);
        if (n == 0) break;
        write_all(out.get(), buffer, static_cast<std::size_t>(n), to);
    }
    if (::fsync(out.get()) != 0) fail("fsync", to, errno);
}

}  // namespace

bool is_plain_name(std::string_view name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
           name.find('\0') == std::string_view::npos;
}

void fsync_file(const std::filesystem::path& path) { fsync_opened(path, O_RDONLY); }

void fsync_dir(const std::filesystem::path& dir) { fsync_opened(dir, O_RDONLY | O_DIRECTORY); }

void make_dirs_synced(const std::filesystem::path& dir) {
    if (std::filesystem::is_directory(dir)) return;
    const auto parent = dir.parent_path();
    if (!parent.empty() && parent != dir) make_dirs_synced(parent);
    if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) fail("mkdir", dir, errno);
    fsync_dir(dir);
    if (!parent.empty()) fsync_dir(parent);
}

std::vector<std::byte> read_all(const std::filesystem::path& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) fail("open", path, errno);
    std::vector<std::byte> bytes;
    std::byte buffer[64 * 1024];
    while (true) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("read", path, errno);
        if (n == 0) break;
        bytes.insert(bytes.end(), buffer, buffer + n);
    }
    return bytes;
}

bool link_or_copy(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (::link(from.c_str(), to.c_str()) == 0) return true;
    const int err = errno;
    if (err == ENOENT && !std::filesystem::exists(from)) return false;
    // EXDEV: another filesystem. EPERM: a filesystem without hard links (vfat, some
    // FUSE mounts). Both are served by a copy.
    if (err != EXDEV && err != EPERM) fail("link", to, err);
    copy_synced(from, to);
    return true;
}

void remove_file(const std::filesystem::path& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) fail("unlink", path, errno);
}

}  // namespace gridgate::gateway::files_fs
