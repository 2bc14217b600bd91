#include "gridgate/testing/temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace gridgate::testing {

namespace {

std::filesystem::path temp_root() {
    const char* env = std::getenv("TMPDIR");
    return env && *env ? std::filesystem::path(env) : std::filesystem::path("/tmp");
}

bool keep_dirs() {
    const char* env = std::getenv("GG_KEEP_TEST_DIRS");
    return env && std::string_view(env) == "1";
}

}  // namespace

TempDir::TempDir(std::string_view prefix) {
    std::string pattern = (temp_root() / std::string(prefix)).string() + "-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (!::mkdtemp(buffer.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = buffer.data();
}

TempDir::~TempDir() {
    if (keep_dirs()) {
        std::cerr << "keeping test directory " << path_ << '\n';
        return;
    }
    std::error_code ec;  // a destructor must not throw; leftovers in /tmp are harmless
    std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::file(std::string_view name) const { return path_ / std::string(name); }

std::filesystem::path TempDir::write(std::string_view name, std::string_view content) const {
    const auto target = file(name);
    std::filesystem::create_directories(target.parent_path());
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) throw std::runtime_error("cannot write " + target.string());
    return target;
}

std::string read_text_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace gridgate::testing
