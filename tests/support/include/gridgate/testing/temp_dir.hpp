#pragma once
// A private temporary directory for one test, removed with everything in it when the
// object goes out of scope. Set GG_KEEP_TEST_DIRS=1 to keep it for a post-mortem (its
// path is then printed to stderr).
#include <filesystem>
#include <string>
#include <string_view>

namespace gridgate::testing {

class TempDir {
public:
    // Creates <$TMPDIR or /tmp>/<prefix>-XXXXXX (mode 0700).
    explicit TempDir(std::string_view prefix = "gg-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // path() / name; does not create anything.
    std::filesystem::path file(std::string_view name) const;
    // Writes `content` to path() / name (creating parent folders) and returns the path.
    std::filesystem::path write(std::string_view name, std::string_view content) const;

private:
    std::filesystem::path path_;
};

// The whole content of a file ("" if it does not exist).
std::string read_text_file(const std::filesystem::path& path);

}  // namespace gridgate::testing
