#include "config_paths.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace gridgate::gateway::config_detail {

std::string resolve_path(const std::string& base_dir, const std::string& path) {
    if (base_dir.empty() || path.empty() || path.front() == '/') return path;
    if (base_dir.back() == '/') return base_dir + path;
    return base_dir + "/" + path;
}

std::optional<std::string> unreadable_reason(const std::string& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return std::generic_category().message(errno);
    if (S_ISDIR(info.st_mode)) return std::string("is a directory, not a file");
    if (!S_ISREG(info.st_mode)) return std::string("is not a regular file");
    if (::access(path.c_str(), R_OK) != 0) return std::generic_category().message(errno);
    return std::nullopt;
}

}  // namespace gridgate::gateway::config_detail
