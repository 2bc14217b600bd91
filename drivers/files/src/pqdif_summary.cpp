// PqdifSummary::to_json(): the `files` notice's view of a PQDIF check.
#include "gridgate/core/json_text.hpp"
#include "gridgate/files/pqdif.hpp"

namespace gridgate::files {

std::string PqdifSummary::to_json() const {
    std::string out = "{\"well_formed\":";
    out += well_formed ? "true" : "false";
    if (!error.empty()) {
        out += ",\"error\":";
        append_json_quoted(out, error);
    }
    out += ",\"records\":" + std::to_string(records);
    out += ",\"observations\":" + std::to_string(observations);
    out += ",\"compressed\":";
    out += compressed ? "true" : "false";
    if (observations > 0) {
        out += ",\"first_start\":";
        append_json_quoted(out, format_iso8601_utc(first_start_us));
        out += ",\"last_start\":";
        append_json_quoted(out, format_iso8601_utc(last_start_us));
    }
    out += ",\"quantity_types\":[";
    for (std::size_t i = 0; i < quantity_types.size(); ++i) {
        if (i > 0) out += ',';
        append_json_quoted(out, quantity_types[i]);
    }
    out += "]}";
    return out;
}

}  // namespace gridgate::files
