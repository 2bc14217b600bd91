// The reference meter's PQDIF file names (meter-features.md 13.2).
#include "gridgate/files/pqdif_name.hpp"

#include <charconv>
#include <cstdio>
#include <vector>

namespace gridgate::files {

namespace {

// Digits only, between min and max of them, value into out.
template <typename T>
bool parse_digits(std::string_view s, std::size_t min, std::size_t max, T& out) {
    if (s.size() < min || s.size() > max) return false;
    for (const char c : s)
        if (c < '0' || c > '9') return false;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

bool serial_ok(std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s)
        if (c <= ' ' || c > '~' || c == '_' || c == '/' || c == '\\') return false;
    return true;
}

bool ends_with_pqd(std::string_view name) {
    if (name.size() < 4) return false;
    const auto ext = name.substr(name.size() - 4);
    return ext[0] == '.' && (ext[1] | 0x20) == 'p' && (ext[2] | 0x20) == 'q' && (ext[3] | 0x20) == 'd';
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    std::size_t from = 0;
    for (;;) {
        const auto at = s.find(sep, from);
        parts.push_back(s.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from));
        if (at == std::string_view::npos) return parts;
        from = at + 1;
    }
}

}  // namespace

std::optional<PqdifName> parse_pqdif_name(std::string_view file_name) {
    if (!ends_with_pqd(file_name)) return std::nullopt;
    const auto parts = split(file_name.substr(0, file_name.size() - 4), '_');
    if (parts.size() != 4 && parts.size() != 5) return std::nullopt;
    PqdifName n;
    if (!serial_ok(parts[0])) return std::nullopt;
    n.serial = std::string(parts[0]);
    if (!parse_digits(parts[1], 10, 10, n.unix_seconds)) return std::nullopt;
    if (!parse_digits(parts[2], 1, 6, n.microseconds)) return std::nullopt;
    if (!parse_digits(parts.back(), 1, 10, n.type_bits) || n.type_bits == 0) return std::nullopt;
    if (parts.size() == 5) {
        // Only measurement-log files carry a log number, and their type is exactly 08.
        if (!parse_digits(parts[3], 1, 2, n.log_number) || n.log_number < 1 || n.log_number > 8 || n.type_bits != 8)
            return std::nullopt;
    }
    return n;
}

std::string format_pqdif_name(const PqdifName& name) {
    char buf[96];
    int len = 0;
    if (name.log_number != 0)
        len = std::snprintf(buf, sizeof buf, "_%010lld_%u_%02u_%02u.pqd", static_cast<long long>(name.unix_seconds),
                            name.microseconds, name.log_number, name.type_bits);
    else
        len = std::snprintf(buf, sizeof buf, "_%010lld_%u_%02u.pqd", static_cast<long long>(name.unix_seconds),
                            name.microseconds, name.type_bits);
    return name.serial + std::string(buf, static_cast<std::size_t>(len));
}

std::string describe_pqdif_type(std::uint32_t type_bits) {
    static constexpr const char* names[8] = {"sag_swell", "waveform", "hsrms", "measurement_log",
                                             "rvc", "interruption", nullptr, "daily"};
    std::string out;
    for (unsigned bit = 0; bit < 32; ++bit) {
        if ((type_bits & (1u << bit)) == 0) continue;
        if (!out.empty()) out += ',';
        if (bit < 8 && names[bit] != nullptr)
            out += names[bit];
        else
            out += "bit" + std::to_string(bit);
    }
    return out;
}

}  // namespace gridgate::files
