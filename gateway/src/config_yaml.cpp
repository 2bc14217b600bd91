#include "config_yaml.hpp"

#include <algorithm>

namespace gridgate::gateway::config_detail {

namespace {

std::string child_path(const std::string& parent, std::string_view key) {
    if (parent.empty()) return std::string(key);
    std::string path = parent;
    path.append(".").append(key);
    return path;
}

// yaml-cpp marks are 0-based and absent (-1) on some empty values.
int line_of(const YAML::Node& node, int fallback) {
    const int line = node.Mark().line;
    return line >= 0 ? line + 1 : fallback;
}

std::string join(std::initializer_list<std::string_view> names) {
    std::string out;
    for (auto name : names) {
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

}  // namespace

void Issues::add(int line, std::string key_path, std::string message) {
    list_.push_back(ConfigIssue{file_, line, std::move(key_path), std::move(message)});
}

std::string shown(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Map: return "a map";
        case YAML::NodeType::Scalar: break;
        default: return "an empty value";
    }
    constexpr std::size_t max_shown = 60;
    std::string text;
    for (char c : node.Scalar()) {
        if (text.size() >= max_shown) {
            text += "...";
            break;
        }
        if (c == '\n') text += "\\n";
        else text += c;
    }
    // A quoted scalar carries the non-specific tag "!"; show its quotes so that a
    // number written as "1883" is visibly a string.
    if (node.Tag() == "!") return "\"" + text + "\"";
    return text;
}

std::vector<Located> list_elements(const Located& list, Issues& issues) {
    std::vector<Located> out;
    if (list.node.IsNull()) return out;
    if (!list.node.IsSequence()) {
        issues.add(list.line, list.path, "must be a list, got " + shown(list.node));
        return out;
    }
    out.reserve(list.node.size());
    std::size_t index = 0;
    for (const auto& element : list.node) {
        const int line = element.IsNull() ? list.line : line_of(element, list.line);
        out.push_back(Located{element, list.path + "[" + std::to_string(index) + "]", line});
        ++index;
    }
    return out;
}

MapReader::MapReader(const Located& where, Issues& issues, std::initializer_list<std::string_view> known)
    : where_(where), issues_(&issues) {
    if (where.node.IsNull()) {
        is_map_ = true;
        return;
    }
    if (!where.node.IsMap()) {
        issues.add(where.line, where.path, "must be a map, got " + shown(where.node));
        return;
    }
    is_map_ = true;
    for (const auto& pair : where.node) {
        const YAML::Node& key = pair.first;
        const int key_line = line_of(key, where.line);
        if (!key.IsScalar()) {
            issues.add(key_line, where.path.empty() ? "(top level)" : where.path,
                       "keys must be plain names, got " + shown(key));
            continue;
        }
        const std::string& name = key.Scalar();
        std::string path = child_path(where.path, name);
        if (name == "<<") {
            issues.add(key_line, path,
                       "merge keys (<<) are not supported; share points with a template, or repeat the keys");
            continue;
        }
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            issues.add(key_line, path, "unknown key (expected one of: " + join(known) + ")");
            continue;
        }
        if (const Located* first = find(name)) {
            issues.add(key_line, path, "duplicate key (first given at line " + std::to_string(first->line) + ")");
            continue;
        }
        entries_.emplace_back(name, Located{pair.second, std::move(path), key_line});
    }
}

const Located* MapReader::find(std::string_view key) const {
    for (const auto& [name, value] : entries_)
        if (name == key) return &value;
    return nullptr;
}

const Located* MapReader::require(std::string_view key) const {
    if (const Located* value = find(key)) return value;
    if (is_map_) issues_->add(where_.line, child_path(where_.path, key), "required key is missing");
    return nullptr;
}

}  // namespace gridgate::gateway::config_detail
