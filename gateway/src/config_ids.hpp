#pragma once
// Loader internals: the ids defined in one list (templates, connections, meters).
#include <cstddef>
#include <map>
#include <string>

#include "config_yaml.hpp"

namespace gridgate::gateway::config_detail {

// Ids seen so far in one list, with the line of their first definition.
class IdRegistry {
public:
    explicit IdRegistry(std::string kind) : kind_(std::move(kind)) {}

    // Records `id`; reports a duplicate. Empty ids (already reported) are ignored.
    void add(const std::string& id, const Located& where, Issues& issues) {
        if (id.empty()) return;
        const auto [it, fresh] = lines_.emplace(id, where.line);
        if (!fresh)
            issues.add(where.line, where.path,
                       "duplicate " + kind_ + " id " + id + " (first defined at line " + std::to_string(it->second) + ")");
    }
    const int* line_of(const std::string& id) const {
        const auto it = lines_.find(id);
        return it == lines_.end() ? nullptr : &it->second;
    }
    // "(templates defined: a, b)" for unknown-reference messages.
    std::string defined(const std::string& plural) const {
        if (lines_.empty()) return "(no " + plural + " are defined)";
        constexpr std::size_t max_listed = 10;
        std::string out = "(" + plural + " defined: ";
        std::size_t listed = 0;
        for (const auto& entry : lines_) {
            if (listed == max_listed) {
                out += ", ...";
                break;
            }
            out += (listed++ == 0 ? "" : ", ") + entry.first;
        }
        return out + ")";
    }

private:
    std::string kind_;
    std::map<std::string, int> lines_;
};

}  // namespace gridgate::gateway::config_detail
