#pragma once
// Small POSIX file helpers for the file spool, the PQDIF puller and the push inbox: the
// durability steps (fsync of a file and of the folder that names it) and the moves that
// keep a file reachable under at least one name at every instant. Errors become
// std::runtime_error naming the path and errno.
#include <cstddef>
#include <filesystem>
#include <string_view>
#include <vector>

namespace gridgate::gateway::files_fs {

// A name that can be used as one path component: not empty, not "." or "..", no '/'
// and no NUL.
bool is_plain_name(std::string_view name);

void fsync_file(const std::filesystem::path& path);
// fsync of a directory: makes the renames, links and unlinks inside it durable.
void fsync_dir(const std::filesystem::path& dir);
// create_directories + fsync of each folder created and of the parent that names it.
void make_dirs_synced(const std::filesystem::path& dir);

// The whole file in memory (spool files are at most a few MB).
std::vector<std::byte> read_all(const std::filesystem::path& path);

// A second name for `from` at `to` (same filesystem: a hard link, so `from` stays where
// it is until the caller removes it), or a copy fsynced before returning when the two
// are on different filesystems. `to` must not exist. Returns false when `from` does not
// exist (any more).
bool link_or_copy(const std::filesystem::path& from, const std::filesystem::path& to);

// unlink, ignoring a missing file; other errors throw.
void remove_file(const std::filesystem::path& path);

}  // namespace gridgate::gateway::files_fs
