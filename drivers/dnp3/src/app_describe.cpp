// One-line trace text of an application fragment. It must describe anything a line can
// deliver, so it goes through the same bounded parsers and reports their errors inline.
#include "app_codec.hpp"

namespace gridgate::dnp3 {

namespace {

std::string function_name(std::uint8_t fc) {
    const char* name = to_string(static_cast<FunctionCode>(fc));
    return std::string(name) == "UNKNOWN" ? "FC" + std::to_string(fc) : name;
}

std::string control_text(AppControl c) {
    std::string s;
    if (c.fir) s += " FIR";
    if (c.fin) s += " FIN";
    if (c.con) s += " CON";
    if (c.uns) s += " UNS";
    return s + " seq=" + std::to_string(c.seq);
}

std::string header_text(const ObjectHeader& h) {
    std::string s = detail::object_name(h.group, h.variation) + " q" +
                    detail::hex_octet(static_cast<std::uint8_t>(h.qualifier));
    if (detail::is_range_qualifier(h.qualifier)) s += " " + std::to_string(h.start) + ".." + std::to_string(h.stop);
    else if (h.qualifier != Qualifier::all) s += " n=" + std::to_string(h.count);
    return s;
}

void append_headers(std::string& s, const std::vector<ObjectHeader>& headers) {
    for (std::size_t i = 0; i < headers.size(); ++i) s += (i == 0 ? " " : "; ") + header_text(headers[i]);
}

}  // namespace

std::string describe_fragment(std::span<const std::uint8_t> fragment) {
    if (fragment.size() < 2) return "short fragment (" + std::to_string(fragment.size()) + " octets)";
    const std::uint8_t fc = fragment[1];
    std::string s = function_name(fc) + control_text(AppControl::decode(fragment[0]));
    const bool response = fc == static_cast<std::uint8_t>(FunctionCode::response) ||
                          fc == static_cast<std::uint8_t>(FunctionCode::unsolicited_response);
    if (response) {
        if (fragment.size() >= 4) {
            const Iin iin{static_cast<std::uint16_t>(fragment[2] | (fragment[3] << 8))};
            if (iin.bits != 0) s += " iin=" + iin.describe();
        }
        const auto parsed = parse_response(fragment);
        if (const auto* r = std::get_if<Response>(&parsed)) append_headers(s, r->headers);
        else s += " [error: " + std::get<ParseError>(parsed).message + "]";
        return s;
    }
    const auto parsed = parse_request(fragment);
    if (const auto* r = std::get_if<Request>(&parsed)) {
        std::vector<ObjectHeader> headers;
        headers.reserve(r->objects.size());
        for (const auto& o : r->objects) headers.push_back(o.header);
        append_headers(s, headers);
        if (r->objects.empty() && fragment.size() > 2)
            s += " (" + std::to_string(fragment.size() - 2) + " octets unparsed)";
    } else {
        s += " [error: " + std::get<ParseError>(parsed).message + "]";
    }
    return s;
}

}  // namespace gridgate::dnp3
