#pragma once
// Loader internals: the issue list of one file, YAML nodes together with the key path and
// line that name them in messages, and a reader for one YAML map that reports unknown and
// duplicate keys.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gridgate/gateway/config.hpp"

namespace gridgate::gateway::config_detail {

// The issues found in one file, in the order they were found.
class Issues {
public:
    explicit Issues(std::string file) : file_(std::move(file)) {}

    void add(int line, std::string key_path, std::string message);
    std::size_t count() const { return list_.size(); }
    std::vector<ConfigIssue> take() { return std::move(list_); }

private:
    std::string file_;
    std::vector<ConfigIssue> list_;
};

// A value in the document with its key path ("meters[1].unit_id") and 1-based line.
// For a map value the line is that of its key: yaml-cpp places an empty value on the
// following line, and a block list or map is best pointed at by the key that opens it.
struct Located {
    YAML::Node node;
    std::string path;
    int line = 0;
};

// How a node is named after "got": the scalar as written (quoted if it was quoted, so
// "1883" reads as the string it is), or "a list", "a map", "an empty value".
std::string shown(const YAML::Node& node);

// The elements of a list. Anything but a list (or an empty value, read as an empty list)
// is reported; the result is then empty.
std::vector<Located> list_elements(const Located& list, Issues& issues);

// One YAML map being read. Construction reports keys not in `known` (listing the known
// ones), duplicate keys and a value that is not a map; an empty value reads as an empty map.
class MapReader {
public:
    MapReader(const Located& where, Issues& issues, std::initializer_list<std::string_view> known);

    const Located& where() const { return where_; }
    Issues& issues() const { return *issues_; }
    bool is_map() const { return is_map_; }

    // The value of `key`, or nullptr when the key is absent.
    const Located* find(std::string_view key) const;
    bool has(std::string_view key) const { return find(key) != nullptr; }
    // Like find, but reports "required key is missing" when absent.
    const Located* require(std::string_view key) const;

private:
    Located where_;
    Issues* issues_;
    bool is_map_ = false;
    std::vector<std::pair<std::string, Located>> entries_;
};

}  // namespace gridgate::gateway::config_detail
