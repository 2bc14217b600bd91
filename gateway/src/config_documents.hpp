#pragma once
// Loader internals: splitting YAML text into documents without yaml-cpp 0.7's LoadAll,
// which loops forever, allocating, on a token it cannot place (a stray ',' at block level:
// yaml-cpp issue #1040, fixed upstream after 0.8). A configuration push must not be able
// to exhaust the gateway's memory.
#include <yaml-cpp/yaml.h>

#include <string>

namespace gridgate::gateway::config_detail {

struct YamlDocuments {
    YAML::Node first;     // null when there is no document
    int count = 0;        // documents in the text
    int second_line = 0;  // 1-based line where the second document starts, if any
};

// Throws YAML::ParserException (or a subclass) on a syntax error, as yaml-cpp does,
// including for the token that would make LoadAll loop.
YamlDocuments load_documents(const std::string& text);

}  // namespace gridgate::gateway::config_detail
