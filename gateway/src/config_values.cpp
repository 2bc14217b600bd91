#include "config_values.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

namespace gridgate::gateway::config_detail {

namespace {

bool is_quoted(const YAML::Node& node) { return node.Tag() == "!"; }

bool all_digits(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

// Decimal or 0x-hex, optionally signed. nullopt if malformed; `overflow` when the digits
// are fine but the value does not fit.
std::optional<long long> parse_integer(std::string_view text, bool& overflow) {
    overflow = false;
    bool negative = false;
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    if (text.empty()) return std::nullopt;
    unsigned long long magnitude = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), magnitude, base);
    if (end != text.data() + text.size()) return std::nullopt;
    if (error == std::errc::result_out_of_range || magnitude > (1ULL << 62)) {
        overflow = true;
        return std::nullopt;
    }
    if (error != std::errc{}) return std::nullopt;
    const auto value = static_cast<long long>(magnitude);
    return negative ? -value : value;
}

std::optional<double> parse_number(std::string_view text) {
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    if (text.empty()) return std::nullopt;
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

const char* quote_hint(const YAML::Node& node, bool unquoted_would_do) {
    return is_quoted(node) && unquoted_would_do ? " (remove the quotes: a quoted value is a string)" : "";
}

}  // namespace

std::string list_names(std::span<const std::string_view> names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
        out += names[i];
    }
    return out;
}

std::optional<std::string> read_text(const Located& v, Issues& issues, bool allow_empty) {
    if (!v.node.IsScalar() || (!allow_empty && v.node.Scalar().empty())) {
        issues.add(v.line, v.path, std::string(allow_empty ? "must be a string" : "must be a non-empty string") +
                                       ", got " + shown(v.node));
        return std::nullopt;
    }
    return v.node.Scalar();
}

std::optional<std::string> read_identifier(const Located& v, Issues& issues) {
    bool ok = v.node.IsScalar();
    if (ok) {
        const std::string& text = v.node.Scalar();
        ok = !text.empty() && text.size() <= limits::max_id_length;
        for (char c : text)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') ok = false;
    }
    if (!ok) {
        issues.add(v.line, v.path,
                   "must be 1 to " + std::to_string(limits::max_id_length) +
                       " characters from A-Z a-z 0-9 _ . -, got " + shown(v.node));
        return std::nullopt;
    }
    return v.node.Scalar();
}

std::string read_name(const Located& v, Issues& issues) {
    if (auto id = read_identifier(v, issues)) return *id;
    return v.node.IsScalar() ? v.node.Scalar() : std::string();
}

std::optional<std::string> read_host(const Located& v, Issues& issues) {
    bool ok = v.node.IsScalar() && !v.node.Scalar().empty();
    if (ok)
        for (char c : v.node.Scalar())
            if (std::isspace(static_cast<unsigned char>(c))) ok = false;
    if (!ok) {
        issues.add(v.line, v.path, "must be a host name or IP address, got " + shown(v.node));
        return std::nullopt;
    }
    return v.node.Scalar();
}

std::optional<long long> read_integer(const Located& v, Issues& issues, IntRange range) {
    bool overflow = false;
    std::optional<long long> value;
    if (v.node.IsScalar()) value = parse_integer(v.node.Scalar(), overflow);
    const bool in_range = value && *value >= range.min && *value <= range.max;
    if (in_range && !is_quoted(v.node)) return value;
    issues.add(v.line, v.path,
               "must be an integer between " + std::to_string(range.min) + " and " + std::to_string(range.max) +
                   ", got " + shown(v.node) + quote_hint(v.node, in_range));
    return std::nullopt;
}

std::optional<long long> read_size(const Located& v, Issues& issues, IntRange range) {
    static constexpr std::pair<std::string_view, long long> units[] = {
        {"KiB", 1LL << 10}, {"MiB", 1LL << 20}, {"GiB", 1LL << 30}, {"TiB", 1LL << 40},
        {"kB", 1'000}, {"KB", 1'000}, {"MB", 1'000'000}, {"GB", 1'000'000'000}, {"TB", 1'000'000'000'000}, {"B", 1}};
    std::optional<long long> value;
    const std::string text = v.node.IsScalar() ? v.node.Scalar() : std::string();
    std::string_view digits = text;
    long long mult = 1;
    for (const auto& [suffix, m] : units)
        if (digits.size() > suffix.size() && digits.ends_with(suffix)) {
            digits.remove_suffix(suffix.size());
            mult = m;
            break;
        }
    bool overflow = false;
    if (v.node.IsScalar() && all_digits(std::string(digits)))
        if (const auto n = parse_integer(digits, overflow); n && *n <= range.max / mult) value = *n * mult;
    if (value && *value >= range.min && *value <= range.max && !is_quoted(v.node)) return value;
    issues.add(v.line, v.path,
               "must be a size between " + std::to_string(range.min) + " and " + std::to_string(range.max) +
                   " bytes, as a number of bytes or with a unit (kB, MB, GB, KiB, MiB, GiB), got " + shown(v.node));
    return std::nullopt;
}

std::optional<bool> read_boolean(const Located& v, Issues& issues) {
    const bool scalar = v.node.IsScalar();
    const std::string text = scalar ? v.node.Scalar() : std::string();
    const bool word = text == "true" || text == "false";
    if (scalar && word && !is_quoted(v.node)) return text == "true";
    issues.add(v.line, v.path, "must be true or false, got " + shown(v.node) + quote_hint(v.node, word));
    return std::nullopt;
}

std::optional<double> read_number(const Located& v, Issues& issues, std::string_view what,
                                  bool (*acceptable)(double)) {
    std::optional<double> value;
    if (v.node.IsScalar()) value = parse_number(v.node.Scalar());
    const bool ok = value && std::isfinite(*value) && acceptable(*value);
    if (ok && !is_quoted(v.node)) return value;
    issues.add(v.line, v.path, "must be " + std::string(what) + ", got " + shown(v.node) + quote_hint(v.node, ok));
    return std::nullopt;
}

std::optional<Duration> read_duration(const Located& v, Issues& issues, DurationRange range) {
    const std::string text = v.node.IsScalar() ? v.node.Scalar() : std::string();
    if (all_digits(text)) {
        issues.add(v.line, v.path,
                   "must be a duration with a unit, got " + shown(v.node) + " (write e.g. " + text +
                       "s; units: us, ms, s, m or min, h, d)");
        return std::nullopt;
    }
    Duration value{};
    if (!v.node.IsScalar() || !parse_duration(text, value)) {
        issues.add(v.line, v.path, "must be a duration like 250ms, 30s, 15m or 1h, got " + shown(v.node));
        return std::nullopt;
    }
    if (value < range.min || value > range.max) {
        issues.add(v.line, v.path,
                   "must be a duration between " + format_duration(range.min) + " and " +
                       format_duration(range.max) + ", got " + shown(v.node));
        return std::nullopt;
    }
    return value;
}

std::optional<std::size_t> read_choice(const Located& v, Issues& issues, std::span<const std::string_view> names) {
    if (v.node.IsScalar())
        for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == v.node.Scalar()) return i;
    issues.add(v.line, v.path, "must be one of " + list_names(names) + ", got " + shown(v.node));
    return std::nullopt;
}

bool get_text(const MapReader& m, std::string_view key, std::string& out, bool allow_empty) {
    const Located* v = m.find(key);
    if (!v) return false;
    auto value = read_text(*v, m.issues(), allow_empty);
    if (!value) return false;
    out = std::move(*value);
    return true;
}

bool get_boolean(const MapReader& m, std::string_view key, bool& out) {
    const Located* v = m.find(key);
    if (!v) return false;
    const auto value = read_boolean(*v, m.issues());
    if (!value) return false;
    out = *value;
    return true;
}

bool get_duration(const MapReader& m, std::string_view key, DurationRange range, Duration& out) {
    const Located* v = m.find(key);
    if (!v) return false;
    const auto value = read_duration(*v, m.issues(), range);
    if (!value) return false;
    out = *value;
    return true;
}

}  // namespace gridgate::gateway::config_detail
