#pragma once
// Helpers shared by the configuration loader tests.
#include <cstdlib>
#include <string>
#include <vector>

#include "gridgate/gateway/config.hpp"

namespace gridgate::gateway::test {

// The source tree: ctest passes GG_SOURCE_DIR; a binary run by hand falls back on the
// path baked in at build time.
inline std::string source_dir() {
    if (const char* dir = std::getenv("GG_SOURCE_DIR")) return dir;
    return GG_CONFIG_TEST_SOURCE_DIR;
}

inline std::string fixture(const std::string& relative) { return source_dir() + "/tests/fixtures/config/" + relative; }

// The issues of a text parsed as "site.yaml", as printed.
inline std::vector<std::string> issues_of(const std::string& yaml) {
    std::vector<std::string> out;
    for (const auto& issue : parse_config(yaml, "site.yaml").issues) out.push_back(issue.to_string());
    return out;
}

// The smallest valid configuration, to which tests append or in which they change a line.
inline const std::string minimal_config = R"(gateway:
  id: site-01
meters:
  - id: jem1
    host: 10.0.0.11
    points:
      - {name: wh_del, ref: 40001, type: u32}
)";

}  // namespace gridgate::gateway::test
