// Status payloads (birth, last will, clean offline, health details): rare and small, so
// nlohmann's ordered_json is used for clarity.
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "gridgate/northbound/encoding.hpp"

namespace gridgate::northbound {

std::string encode_status(std::string_view gateway_id, std::string_view state, TimestampUs ts,
                          std::string_view details_json) {
    nlohmann::ordered_json status;
    status["gateway"] = gateway_id;
    status["state"] = state;
    status["ts"] = format_iso8601_utc(ts);
    if (!details_json.empty()) {
        const auto details = nlohmann::ordered_json::parse(details_json, nullptr, /*allow_exceptions=*/false);
        if (!details.is_object()) throw std::invalid_argument("status details must be a JSON object");
        for (const auto& [key, value] : details.items())
            if (!status.contains(key)) status[key] = value;  // the fixed fields cannot be overridden
    }
    // replace: invalid UTF-8 in an id must not throw from here or produce invalid JSON.
    return status.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace gridgate::northbound
