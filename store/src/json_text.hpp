#pragma once
// Builds the small JSON objects of audit details. The store links no JSON library; these
// are flat objects of numbers, booleans and strings, so a few lines suffice.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace gridgate::store {

class JsonObject {
public:
    JsonObject& add(std::string_view key, std::string_view text) {
        start(key);
        quote(text);
        return *this;
    }
    JsonObject& add(std::string_view key, const char* text) { return add(key, std::string_view(text)); }
    JsonObject& add(std::string_view key, std::uint64_t number) {
        start(key);
        body_ += std::to_string(number);
        return *this;
    }
    JsonObject& add(std::string_view key, std::int64_t number) {
        start(key);
        body_ += std::to_string(number);
        return *this;
    }
    JsonObject& add(std::string_view key, bool flag) {
        start(key);
        body_ += flag ? "true" : "false";
        return *this;
    }
    std::string str() const { return "{" + body_ + "}"; }

private:
    void start(std::string_view key) {
        if (!body_.empty()) body_ += ',';
        quote(key);
        body_ += ':';
    }
    void quote(std::string_view text) {
        body_ += '"';
        for (const char c : text) {
            switch (c) {
                case '"': body_ += "\\\""; break;
                case '\\': body_ += "\\\\"; break;
                case '\n': body_ += "\\n"; break;
                case '\r': body_ += "\\r"; break;
                case '\t': body_ += "\\t"; break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20) {
                        char escaped[8];
                        std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
                        body_ += escaped;
                    } else {
                        body_ += c;
                    }
            }
        }
        body_ += '"';
    }
    std::string body_;
};

}  // namespace gridgate::store
