// The files under tests/fixtures/config: every bad one is refused with the message its
// "# expect:" line announces (on the line its "# line:" names, if any), every good one loads.
// gridgated --check-config is run over the same files by an integration test.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "config_test_support.hpp"

using namespace gridgate::gateway;
using namespace gridgate::gateway::test;

namespace {

std::vector<std::filesystem::path> yaml_files(const std::string& folder) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(fixture(folder)))
        if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

// The value of a "# <tag>: value" comment line near the top of the file, or "".
std::string header_value(const std::filesystem::path& file, const std::string& tag) {
    std::ifstream in(file, std::ios::binary);
    std::string line;
    const std::string prefix = "# " + tag + ": ";
    for (int i = 0; i < 5 && std::getline(in, line); ++i)
        if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
    return "";
}

}  // namespace

TEST_CASE("every bad fixture is refused with its expected message") {
    const auto files = yaml_files("bad");
    REQUIRE(files.size() >= 40);
    for (const auto& file : files) {
        const std::string expect = header_value(file, "expect");
        const std::string line = header_value(file, "line");
        const ConfigResult result = load_config(file.string());
        INFO(file.filename().string() << " expects: " << expect);
        REQUIRE_FALSE(expect.empty());
        CHECK_FALSE(result.config);
        bool found = false;
        for (const auto& issue : result.issues) {
            UNSCOPED_INFO(issue.to_string());
            if (issue.to_string().find(expect) != std::string::npos &&
                (line.empty() || std::to_string(issue.line) == line))
                found = true;
        }
        CHECK(found);
    }
}

TEST_CASE("every good fixture loads without issues") {
    const auto files = yaml_files("good");
    REQUIRE(files.size() >= 3);
    for (const auto& file : files) {
        const ConfigResult result = load_config(file.string());
        INFO(file.filename().string());
        for (const auto& issue : result.issues) UNSCOPED_INFO(issue.to_string());
        CHECK(result.issues.empty());
        CHECK(result.config);
    }
}
