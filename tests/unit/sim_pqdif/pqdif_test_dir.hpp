#pragma once
// A private folder per test, removed afterwards. (gridgate::testing::TempDir does the same
// but lives in gg_test_support, which links libssh; these tests need only the simulator.)
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace gridgate::sim::test {

class PqdifTestDir {
public:
    PqdifTestDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "gg-sim-pqdif-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~PqdifTestDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    PqdifTestDir(const PqdifTestDir&) = delete;
    PqdifTestDir& operator=(const PqdifTestDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace gridgate::sim::test
