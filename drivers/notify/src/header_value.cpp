#include "header_value.hpp"

#include <algorithm>

namespace gridgate::notify::detail {
namespace {

// RFC 9110 tchar: what may appear in a token without quoting.
bool is_tchar(char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

class Cursor {
public:
    explicit Cursor(std::string_view text) : text_(text) {}

    bool done() const { return at_ >= text_.size(); }
    char peek() const { return text_[at_]; }
    void skip_space() {
        while (!done() && (peek() == ' ' || peek() == '\t')) ++at_;
    }
    bool take(char c) {
        if (done() || peek() != c) return false;
        ++at_;
        return true;
    }
    std::string_view token() {
        const std::size_t start = at_;
        while (!done() && is_tchar(peek())) ++at_;
        return text_.substr(start, at_ - start);
    }
    // An unquoted parameter value. Laxer than a token: senders leave boundaries such as
    // "----=_Part_1" unquoted although '=' is a tspecial, so only what would end the
    // value (space, ';', quote, controls) stops it.
    std::string_view bare_value() {
        const std::size_t start = at_;
        while (!done() && peek() > ' ' && peek() < 0x7f && peek() != ';' && peek() != '"') ++at_;
        return text_.substr(start, at_ - start);
    }
    // A quoted-string after its opening quote; backslash escapes the next character.
    std::optional<std::string> quoted_rest() {
        std::string out;
        while (!done()) {
            const char c = text_[at_++];
            if (c == '"') return out;
            if (c == '\\') {
                if (done()) return std::nullopt;
                out.push_back(text_[at_++]);
            } else {
                out.push_back(c);
            }
        }
        return std::nullopt;
    }

private:
    std::string_view text_;
    std::size_t at_ = 0;
};

}  // namespace

const std::string* HeaderValue::param(std::string_view name) const {
    for (const auto& [key, text] : params)
        if (key == name) return &text;
    return nullptr;
}

std::optional<HeaderValue> parse_header_value(std::string_view text) {
    Cursor in(text);
    HeaderValue out;
    in.skip_space();
    std::string value(in.token());
    if (in.take('/')) {
        const auto sub = in.token();
        if (sub.empty()) return std::nullopt;
        value.append("/").append(sub);
    }
    if (value.empty()) return std::nullopt;
    out.value = to_lower(value);
    in.skip_space();
    while (!in.done()) {
        if (!in.take(';')) return std::nullopt;
        in.skip_space();
        if (in.done()) break;  // a trailing ";" is harmless
        const auto name = in.token();
        if (name.empty()) return std::nullopt;
        in.skip_space();
        if (!in.take('=')) return std::nullopt;
        in.skip_space();
        std::string param_value;
        if (in.take('"')) {
            auto quoted = in.quoted_rest();
            if (!quoted) return std::nullopt;
            param_value = std::move(*quoted);
        } else {
            param_value = std::string(in.bare_value());
            if (param_value.empty()) return std::nullopt;
        }
        out.params.emplace_back(to_lower(name), std::move(param_value));
        in.skip_space();
    }
    return out;
}

std::string to_lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && to_lower(a) == to_lower(b);
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

}  // namespace gridgate::notify::detail
