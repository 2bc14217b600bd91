#include "config_documents.hpp"

#include <yaml-cpp/eventhandler.h>

#include <sstream>
#include <vector>

namespace gridgate::gateway::config_detail {

namespace {

// Records where documents start and ignores their content.
class DocumentStarts final : public YAML::EventHandler {
public:
    std::vector<YAML::Mark> starts;

    void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

}  // namespace

YamlDocuments load_documents(const std::string& text) {
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    DocumentStarts events;
    // Every real document consumes at least one token; one that starts where the previous
    // one started consumed none, and the parser would go on making empty documents there.
    while (parser.HandleNextDocument(events)) {
        const auto& starts = events.starts;
        if (starts.size() >= 2 && starts[starts.size() - 1].pos == starts[starts.size() - 2].pos) {
            const YAML::Mark& mark = starts.back();
            const bool inside = mark.pos >= 0 && static_cast<std::size_t>(mark.pos) < text.size();
            throw YAML::ParserException(mark, inside ? std::string("unexpected '") + text[static_cast<std::size_t>(mark.pos)] + "'"
                                                     : std::string("unexpected end of text"));
        }
    }
    YamlDocuments out;
    out.count = static_cast<int>(events.starts.size());
    if (out.count >= 2) out.second_line = events.starts[1].line + 1;
    if (out.count >= 1) out.first = YAML::Load(text);
    return out;
}

}  // namespace gridgate::gateway::config_detail
