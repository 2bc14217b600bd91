#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "gridgate/core/json_text.hpp"

using namespace gridgate;

TEST_CASE("json_quote escapes quotes, backslashes and control characters") {
    CHECK(json_quote("") == "\"\"");
    CHECK(json_quote("plain text") == "\"plain text\"");
    CHECK(json_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(json_quote("l1\nl2\r\t") == "\"l1\\nl2\\r\\t\"");
    CHECK(json_quote(std::string("\x01\x1f", 2)) == "\"\\u0001\\u001f\"");
    CHECK(json_quote(std::string("nul\0x", 5)) == "\"nul\\u0000x\"");
    CHECK(json_quote("caf\xc3\xa9") == "\"caf\xc3\xa9\"");  // UTF-8 passes unchanged
    std::string out = "{\"k\":";
    append_json_quoted(out, "v\"");
    CHECK(out == "{\"k\":\"v\\\"\"");
}

TEST_CASE("json_quote round trips every single byte below 0x80 through a JSON parser") {
    for (int c = 0; c < 0x80; ++c) {
        const std::string text = "x" + std::string(1, static_cast<char>(c)) + "y";
        CHECK(nlohmann::json::parse(json_quote(text)).get<std::string>() == text);
    }
}
