// Entry points: text checks, YAML parsing (its exceptions become issues), the walk over
// the sections. Nothing here throws: every problem, even an unexpected one, is an issue.
#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/depthguard.h>

#include "config_documents.hpp"
#include "config_paths.hpp"
#include "config_sections.hpp"
#include "config_text.hpp"
#include "config_yaml.hpp"

namespace gridgate::gateway {

namespace {

using namespace config_detail;

constexpr std::uintmax_t max_file_size = 16u << 20;  // far above any real site; refuses /dev/zero and the like

int line_count(const std::string& text) {
    const auto newlines = std::count(text.begin(), text.end(), '\n');
    return static_cast<int>(newlines) + (text.empty() || text.back() == '\n' ? 0 : 1);
}

// yaml-cpp 0.7 gives its nesting limit the message "bad file".
std::string yaml_error_text(const YAML::Exception& e) {
    if (const auto* deep = dynamic_cast<const YAML::DeepRecursion*>(&e))
        return "nested more than " + std::to_string(deep->depth()) + " levels deep";
    return e.msg;
}

void report_yaml_error(const std::string& text, const YAML::Exception& e, Issues& issues) {
    const int lines = line_count(text);
    const int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    // yaml-cpp's own message for a tab in indentation does not say so.
    if (const int tab_line = first_tab_indented_line(text, line > 0 ? line : INT_MAX)) {
        issues.add(tab_line, "", "tab character in indentation (YAML indents with spaces only)");
        return;
    }
    std::string where;
    if (line > lines) where = " at the end of the file";  // yaml-cpp names the line after the last
    else if (e.mark.column >= 0) where = " at column " + std::to_string(e.mark.column + 1);
    issues.add(std::min(line, lines), "", "not valid YAML" + where + ": " + yaml_error_text(e));
}

// Parses the text into its one YAML document; nullopt (with issues) if there is none.
std::optional<YAML::Node> parse_document(const std::string& text, Issues& issues) {
    if (const auto problem = find_text_problem(text)) {
        issues.add(problem->line, "", problem->message);
        return std::nullopt;
    }
    YamlDocuments documents;
    try {
        documents = load_documents(text);
    } catch (const YAML::Exception& e) {
        report_yaml_error(text, e, issues);
        return std::nullopt;
    }
    if (documents.first.IsNull()) {
        issues.add(0, "", "the file is empty (it needs at least the gateway and meters sections)");
        return std::nullopt;
    }
    if (documents.count > 1)
        issues.add(documents.second_line, "",
                   "more than one YAML document (---); a configuration is a single document");
    const YAML::Node& root = documents.first;
    if (!root.IsMap()) {
        issues.add(root.Mark().line + 1, "",
                   "must be a map of sections (gateway, mqtt, store, time, templates, connections, buses, meters, files), got " +
                       shown(root));
        return std::nullopt;
    }
    return root;
}

ConfigResult parse_text(const std::string& text, const std::string& file, const std::string& base_dir) {
    Issues issues(file);
    GatewayConfig cfg;
    cfg.source_file = file;
    try {
        if (const auto document = parse_document(text, issues)) {
            const MapReader root(Located{*document, "", document->Mark().line + 1}, issues,
                                 {"gateway", "mqtt", "store", "time", "templates", "connections", "buses", "meters",
                                  "files"});
            read_gateway_section(root, base_dir, cfg);
            read_mqtt_section(root, base_dir, cfg);
            read_store_section(root, cfg);
            read_time_section(root, cfg);
            read_meter_sections(root, base_dir, cfg);
            read_files_section(root, base_dir, cfg);
        }
    } catch (const std::exception& e) {
        issues.add(0, "", std::string("internal error while reading the configuration: ") + e.what());
    }
    ConfigResult result;
    if (issues.count() == 0) result.config = std::move(cfg);
    result.issues = issues.take();
    // Sections are read in a fixed order, not the file's: list the issues as they appear.
    std::stable_sort(result.issues.begin(), result.issues.end(),
                     [](const ConfigIssue& a, const ConfigIssue& b) { return a.line < b.line; });
    return result;
}

ConfigResult file_issue(const std::string& path, std::string message) {
    Issues issues(path);
    issues.add(0, "", std::move(message));
    return ConfigResult{std::nullopt, issues.take()};
}

}  // namespace

ConfigResult parse_config(const std::string& yaml_text, const std::string& file) {
    return parse_text(yaml_text, file, "");
}

ConfigResult load_config(const std::string& path) {
    try {
        if (const auto reason = unreadable_reason(path)) return file_issue(path, "cannot read the file: " + *reason);
        std::error_code error;
        const auto size = std::filesystem::file_size(path, error);
        if (!error && size > max_file_size)
            return file_issue(path, "is " + std::to_string(size) + " bytes long; a configuration file is at most " +
                                        std::to_string(max_file_size) + " bytes");
        std::ifstream in(path, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        if (!in && !in.eof()) return file_issue(path, "cannot read the file");
        return parse_text(text.str(), path, std::filesystem::path(path).parent_path().string());
    } catch (const std::exception& e) {
        return file_issue(path, std::string("cannot read the file: ") + e.what());
    }
}

}  // namespace gridgate::gateway
