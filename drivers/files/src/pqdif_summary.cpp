// PqdifSummary::to_json(): the `files` notice's view of a PQDIF check.
#include <cstdio>

#include "gridgate/files/pqdif.hpp"

namespace gridgate::files {

namespace {

void append_string(std::string& out, const std::string& s) {
    out += '"';
    for (const char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

}  // namespace

std::string PqdifSummary::to_json() const {
    std::string out = "{\"well_formed\":";
    out += well_formed ? "true" : "false";
    if (!error.empty()) {
        out += ",\"error\":";
        append_string(out, error);
    }
    out += ",\"records\":" + std::to_string(records);
    out += ",\"observations\":" + std::to_string(observations);
    out += ",\"compressed\":";
    out += compressed ? "true" : "false";
    if (observations > 0) {
        out += ",\"first_start\":";
        append_string(out, format_iso8601_utc(first_start_us));
        out += ",\"last_start\":";
        append_string(out, format_iso8601_utc(last_start_us));
    }
    out += ",\"quantity_types\":[";
    for (std::size_t i = 0; i < quantity_types.size(); ++i) {
        if (i > 0) out += ',';
        append_string(out, quantity_types[i]);
    }
    out += "]}";
    return out;
}

}  // namespace gridgate::files
