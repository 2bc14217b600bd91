// The `events` payload: one message per gateway event. Events are rare and small, so
// nlohmann's ordered_json is used for clarity (and to parse the stored detail).
#include <nlohmann/json.hpp>

#include "gridgate/northbound/encoding.hpp"
#include "json_text.hpp"

namespace gridgate::northbound {

namespace {

// "2026-11-21T10:15:02.120Z": the microsecond form cut to milliseconds, which floors
// like the microsecond form does (also before 1970).
std::string iso8601_ms(TimestampUs ts) {
    std::string text = format_iso8601_utc(ts);
    const auto dot = text.rfind('.');
    if (dot != std::string::npos && text.size() >= dot + 4) text = text.substr(0, dot + 4) + "Z";
    return text;
}

}  // namespace

std::string encode_event(std::string_view gateway_id, const GatewayEvent& event) {
    using Json = nlohmann::ordered_json;
    // The parser is strict about UTF-8; a name with stray bytes must not turn the whole
    // detail into raw text.
    const std::string detail_text = json::valid_utf8(event.detail_json);
    Json detail = Json::parse(detail_text, nullptr, /*allow_exceptions=*/false);
    if (!detail.is_object()) detail = Json{{"raw", detail_text}};

    Json message;
    message["gateway"] = gateway_id;
    message["id"] = event.id;
    message["ts"] = iso8601_ms(event.ts_us);
    message["kind"] = event.kind;
    // Lifted out of the detail so that a consumer can route by meter without knowing
    // each kind's detail.
    if (const auto meter = detail.find("meter"); meter != detail.end() && meter->is_string())
        message["meter"] = *meter;
    message["detail"] = std::move(detail);
    // replace: invalid UTF-8 in a stored string must not throw here or produce invalid JSON.
    return message.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string encode_file_notice(std::string_view gateway_id, const GatewayEvent& event) {
    using Json = nlohmann::ordered_json;
    const std::string detail_text = json::valid_utf8(event.detail_json);
    Json detail = Json::parse(detail_text, nullptr, /*allow_exceptions=*/false);
    if (!detail.is_object()) detail = Json{{"raw", detail_text}};
    Json message;
    message["gateway"] = gateway_id;
    message["id"] = event.id;
    message["ts"] = iso8601_ms(event.ts_us);
    for (auto& [key, value] : detail.items())
        if (key != "gateway" && key != "id" && key != "ts") message[key] = std::move(value);
    return message.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace gridgate::northbound
