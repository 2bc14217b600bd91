// The meter's notification JSON. The object is kept whole (unknown keys included) and
// only the fields the gateway routes on are lifted out; which key names the device
// differs between the manual's two samples, so several are tried in order.
#include "gridgate/notify/notification.hpp"

#include <array>
#include <nlohmann/json.hpp>

#include "iso8601.hpp"

namespace gridgate::notify {
namespace {

using json = nlohmann::ordered_json;  // keeps the keys in the order the meter sent them

// The first is the spec table's; the others are the ID fields of the manual's sample
// body ("MV90 Meter ID" is how the settings table spells the same field).
constexpr std::array<std::string_view, 6> device_id_keys = {
    "DeviceId", "MV 90 Meter ID", "MV90 Meter ID", "Meter ID#1", "Meter ID", "Account Number"};

// Nesting depth of a JSON text, brackets inside strings excluded. Checked before parsing
// so a hostile body such as "[[[[..." is refused without building anything.
std::size_t nesting_depth(std::string_view text) {
    std::size_t depth = 0;
    std::size_t deepest = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            deepest = std::max(deepest, ++depth);
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

// A scalar as text: strings as they are, numbers as JSON writes them; "" otherwise.
std::string scalar_text(const json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number()) return value.dump();
    return {};
}

NotificationResult refuse(std::string why) {
    NotificationResult r;
    r.error = std::move(why);
    return r;
}

}  // namespace

NotificationResult parse_notification(std::string_view json_text, const NotificationLimits& limits) {
    if (json_text.size() > limits.max_bytes)
        return refuse("JSON larger than " + std::to_string(limits.max_bytes) + " bytes");
    if (nesting_depth(json_text) > limits.max_depth)
        return refuse("JSON nested deeper than " + std::to_string(limits.max_depth) + " levels");

    json doc;
    try {
        doc = json::parse(json_text);
    } catch (const json::parse_error& e) {
        // The position only: the library's own message quotes the body.
        return refuse("malformed JSON at byte " + std::to_string(e.byte));
    } catch (const json::exception&) {
        // out_of_range: a number too large for a double (found by fuzzing).
        return refuse("malformed JSON: number out of range");
    }
    if (!doc.is_object()) return refuse("JSON is not an object");
    const auto type = doc.find("EventType");
    if (type == doc.end()) return refuse("no EventType");
    if (!type->is_string() || type->get_ref<const std::string&>().empty()) return refuse("EventType is not a non-empty string");

    NotificationResult result;
    auto& n = result.notification;
    n.event_type = type->get<std::string>();
    for (const auto key : device_id_keys) {
        const auto it = doc.find(key);
        if (it != doc.end() && !scalar_text(*it).empty()) {
            n.device_id = scalar_text(*it);
            break;
        }
    }
    if (const auto it = doc.find("EventId"); it != doc.end()) n.event_id = scalar_text(*it);
    if (const auto it = doc.find("EventTime"); it != doc.end() && it->is_string()) {
        n.event_time = it->get<std::string>();
        n.event_time_us = detail::parse_iso8601_utc(n.event_time);
    }
    n.json = doc.dump();
    result.ok = true;
    return result;
}

std::string_view notification_event_kind(std::string_view event_type) {
    static constexpr std::array<std::string_view, 7> alarms = {"OU", "SS", "PQ", "RE", "BAT", "TS", "CFG"};
    for (const auto a : alarms)
        if (event_type == a) return "meter_alarm";
    if (event_type == "PQD") return "meter_pqdif";
    return "meter_notification";
}

}  // namespace gridgate::notify
