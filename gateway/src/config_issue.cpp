#include "gridgate/gateway/config.hpp"

namespace gridgate::gateway {

// "file:line: key.path: message"; the line is left out when unknown (0) and the key path
// when the issue concerns the whole file (unreadable, not YAML).
std::string ConfigIssue::to_string() const {
    std::string out = file;
    if (line > 0) out += ":" + std::to_string(line);
    out += ": ";
    if (!key_path.empty()) out += key_path + ": ";
    out += message;
    return out;
}

}  // namespace gridgate::gateway
