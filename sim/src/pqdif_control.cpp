#include "gridgate/sim/pqdif_control.hpp"

#include <charconv>
#include <stdexcept>

namespace gridgate::sim {

namespace {

constexpr std::string_view pqdif_usage = "pqdif make [type|next] [count]|list|grow <duration>";

std::string error(std::string_view why) { return "error: " + std::string(why); }

std::string join_lines(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& line : lines) {
        if (!out.empty()) out.push_back('\n');
        out += line;
    }
    return out;
}

bool parse_count(std::string_view text, std::size_t& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() && out >= 1 && out <= max_pqdif_make_count;
}

std::string make_command(const std::vector<std::string_view>& words, PqdifControl& pqdif) {
    if (words.size() > 4) return error(std::string("usage: ") + std::string(pqdif_usage));
    std::optional<PqdifRecordingType> type;
    if (words.size() >= 3 && words[2] != "next") {
        PqdifRecordingType parsed;
        if (!parse_pqdif_type(words[2], parsed))
            return error("'" + std::string(words[2]) + "' is not a DataType (e.g. 7, 1, 2, 4, 2_08, 16, 32, 128)");
        type = parsed;
    }
    std::size_t count = 1;
    if (words.size() == 4 && !parse_count(words[3], count))
        return error("count must be 1.." + std::to_string(max_pqdif_make_count));
    try {
        return join_lines(pqdif.make(type, count));
    } catch (const std::exception& e) {
        return error(e.what());
    }
}

std::string list_command(const PqdifControl& pqdif) {
    std::vector<std::string> lines;
    for (const PqdifFolderEntry& e : pqdif.list()) lines.push_back(e.name + " " + std::to_string(e.size));
    return join_lines(lines);
}

std::string grow_command(const std::vector<std::string_view>& words, PqdifControl& pqdif) {
    Duration write_time{};
    if (words.size() != 3 || !parse_duration(std::string(words[2]), write_time))
        return error("usage: pqdif grow <duration> (e.g. 2s, 500ms)");
    pqdif.grow_next(write_time);
    return "ok";
}

}  // namespace

std::string run_pqdif_command(const std::vector<std::string_view>& words, PqdifControl* pqdif) {
    if (pqdif == nullptr) return error("no PQDIF folder (start metersim with --pqdif-dir)");
    if (words.size() >= 2 && words[1] == "make") return make_command(words, *pqdif);
    if (words.size() == 2 && words[1] == "list") return list_command(*pqdif);
    if (words.size() >= 2 && words[1] == "grow") return grow_command(words, *pqdif);
    return error(std::string("usage: ") + std::string(pqdif_usage));
}

}  // namespace gridgate::sim
