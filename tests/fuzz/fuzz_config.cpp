// Fuzz target for the configuration loader: a configuration pushed from a head-end is
// untrusted text, and no text may crash or hang gridgated.
#include <cstddef>
#include <cstdint>
#include <string>

#include "gridgate/gateway/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto result = gridgate::gateway::parse_config(text, "fuzz.yaml");
    // Either a configuration or at least one issue, never neither.
    if (!result.config && result.issues.empty()) __builtin_trap();
    return 0;
}
