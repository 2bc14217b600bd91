#pragma once
// Loader internals: checks of the raw text made before yaml-cpp sees it. yaml-cpp guesses
// an encoding from the first bytes (a NUL looks like UTF-16) and then reads binary junk
// without complaint, and its message for a tab in indentation ("illegal map value") does
// not say what is wrong.
#include <optional>
#include <string>
#include <string_view>

namespace gridgate::gateway::config_detail {

struct TextProblem {
    int line = 0;  // 1-based
    std::string message;
};

// The first byte that cannot be in a UTF-8 configuration text: a control byte other than
// tab, CR and LF, or a byte sequence that is not UTF-8.
std::optional<TextProblem> find_text_problem(std::string_view text);

// The first line, up to and including `last_line` (1-based), whose indentation contains a
// tab; 0 if none. Blank and comment-only lines do not count.
int first_tab_indented_line(std::string_view text, int last_line);

}  // namespace gridgate::gateway::config_detail
