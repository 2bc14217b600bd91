#pragma once
// Loader internals: paths named in the configuration.
#include <optional>
#include <string>

namespace gridgate::gateway::config_detail {

// Relative paths in a configuration file are relative to the file's own directory, so the
// file means the same whatever the daemon's working directory. `base_dir` is empty when
// the text did not come from a file; the path is then left as written.
std::string resolve_path(const std::string& base_dir, const std::string& path);

// Why `path` cannot be read as a regular file ("No such file or directory", "is a
// directory"), or nullopt if it can.
std::optional<std::string> unreadable_reason(const std::string& path);

}  // namespace gridgate::gateway::config_detail
