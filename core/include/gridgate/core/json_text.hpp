#pragma once
// A JSON string literal for hand-written event details and summaries: the text in quotes,
// with quote, backslash and control characters escaped. Other bytes pass unchanged (the
// northbound encoder, which must emit valid UTF-8 whatever it is given, has its own).
#include <string>
#include <string_view>

namespace gridgate {

void append_json_quoted(std::string& out, std::string_view text);
std::string json_quote(std::string_view text);

}  // namespace gridgate
