// multipart/form-data splitting (RFC 7578 over RFC 2046 section 5.1.1). The body is only
// ever sliced, never copied until a part is accepted, and every search is bounded by the
// body, so a hostile body costs at most a linear scan per delimiter.
#include "gridgate/notify/multipart.hpp"

#include "header_value.hpp"

namespace gridgate::notify {
namespace {

using detail::HeaderValue;
using detail::iequals;
using detail::parse_header_value;
using detail::trim;

constexpr std::string_view crlf = "\r\n";

// RFC 2046 bchars: the characters a boundary may contain (space only inside).
bool is_bchar(char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

struct Delimiter {
    std::size_t start = 0;  // where the CRLF before "--boundary" begins (or the dashes at offset 0)
    std::size_t after = 0;  // first octet after the delimiter line
    bool close = false;     // "--boundary--": the last one
};

// The delimiter line that starts at `at` (which points at the dashes), if the octets
// after "--boundary" make it one: "--" (close), or optional padding and CRLF. Anything
// else means the content merely contains the boundary as a prefix of something longer.
std::optional<Delimiter> delimiter_at(std::string_view body, std::size_t at, std::size_t start,
                                      std::string_view dash_boundary) {
    std::size_t p = at + dash_boundary.size();
    if (body.substr(p, 2) == "--") return Delimiter{start, p + 2, true};
    while (p < body.size() && (body[p] == ' ' || body[p] == '\t')) ++p;
    if (body.substr(p, 2) == crlf) return Delimiter{start, p + 2, false};
    return std::nullopt;
}

// The next delimiter at or after `from`; it must follow a CRLF, except at the very start
// of the body where there is no preamble.
std::optional<Delimiter> find_delimiter(std::string_view body, std::size_t from, std::string_view dash_boundary) {
    if (from == 0 && body.starts_with(dash_boundary))
        if (auto d = delimiter_at(body, 0, 0, dash_boundary)) return d;
    const std::string needle = std::string(crlf) + std::string(dash_boundary);
    for (std::size_t hit = body.find(needle, from); hit != std::string_view::npos; hit = body.find(needle, hit + 1))
        if (auto d = delimiter_at(body, hit + 2, hit, dash_boundary)) return d;
    return std::nullopt;
}

// Fills name, filename and content type from a part's header block. Returns "" when
// fine, else the reason to refuse the body.
std::string read_part_headers(std::string_view block, MultipartPart& part) {
    bool have_disposition = false;
    while (!block.empty()) {
        const auto eol = block.find(crlf);
        const auto line = block.substr(0, eol);
        block = eol == std::string_view::npos ? std::string_view{} : block.substr(eol + 2);
        const auto colon = line.find(':');
        if (colon == 0 || colon == std::string_view::npos || trim(line.substr(0, colon)) != line.substr(0, colon))
            return "malformed part header line";
        const auto name = line.substr(0, colon);
        const auto value = trim(line.substr(colon + 1));
        if (iequals(name, "Content-Disposition")) {
            if (have_disposition) return "part with two Content-Disposition headers";
            have_disposition = true;
            const auto parsed = parse_header_value(value);
            if (!parsed) return "malformed Content-Disposition";
            if (parsed->value != "form-data") return "part disposition is not form-data";
            if (const auto* n = parsed->param("name")) part.name = *n;
            if (const auto* f = parsed->param("filename")) part.filename = *f;
        } else if (iequals(name, "Content-Type")) {
            part.content_type = std::string(value);
        }
    }
    if (!have_disposition) return "part without Content-Disposition";
    if (part.name.empty()) return "part without a name";
    return {};
}

MultipartResult refuse(std::string why) {
    MultipartResult r;
    r.error = std::move(why);
    return r;
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
    const auto parsed = parse_header_value(content_type);
    if (!parsed || parsed->value != "multipart/form-data") return std::nullopt;
    const auto* boundary = parsed->param("boundary");
    if (!boundary || boundary->empty() || boundary->size() > 70 || boundary->back() == ' ') return std::nullopt;
    for (const char c : *boundary)
        if (!is_bchar(c)) return std::nullopt;
    return *boundary;
}

MultipartResult parse_multipart(std::string_view body, std::string_view boundary, const MultipartLimits& limits) {
    if (boundary.empty()) return refuse("empty boundary");
    const std::string dash_boundary = "--" + std::string(boundary);
    auto delimiter = find_delimiter(body, 0, dash_boundary);
    if (!delimiter) return refuse("no boundary delimiter in the body");
    if (delimiter->close) return refuse("no parts");

    MultipartResult result;
    while (!delimiter->close) {
        if (result.parts.size() == limits.max_parts)
            return refuse("more than " + std::to_string(limits.max_parts) + " parts");
        const std::size_t head = delimiter->after;
        if (body.substr(head, 2) == crlf) return refuse("part without headers (no Content-Disposition)");
        const std::size_t window = std::min(body.size() - head, limits.max_part_header_bytes + 4);
        const auto head_end = body.substr(head, window).find("\r\n\r\n");
        if (head_end == std::string_view::npos)
            return refuse(window > limits.max_part_header_bytes ? "part header too long" : "part header not terminated");
        const std::size_t content = head + head_end + 4;
        const auto next = find_delimiter(body, content, dash_boundary);
        if (!next) return refuse("missing close delimiter");

        MultipartPart part;
        if (auto why = read_part_headers(body.substr(head, head_end), part); !why.empty()) return refuse(std::move(why));
        part.body = std::string(body.substr(content, next->start - content));
        result.parts.push_back(std::move(part));
        delimiter = next;
    }
    result.ok = true;
    return result;
}

}  // namespace gridgate::notify
