#pragma once
// The reference meter's web-service notification (meter-features.md 14): a JSON object
// with EventType (OU, SS, PQ, RE, BAT, TS, CFG, PQD), EventTime (ISO 8601), an id of the
// device and Properties. The two samples in the manual name the id fields differently,
// so the device is identified by the first of DeviceId, "MV 90 Meter ID", "Meter ID#1",
// "Meter ID", "Account Number" present. Unknown fields are kept: the whole object is
// stored and forwarded as received. Pure.
#include <optional>
#include <string>
#include <string_view>

#include "gridgate/core/time.hpp"

namespace gridgate::notify {

struct Notification {
    std::string event_type;         // as sent ("OU", ...); required, a non-empty string
    std::string device_id;          // see above; "" when none of the fields is present
    std::string event_id;           // EventId when present
    std::string event_time;         // EventTime text as sent ("" when absent)
    std::optional<TimestampUs> event_time_us;  // parsed (Z or ±hh:mm offset); nullopt when absent/unparsable
    std::string json;               // the object as received, re-serialised compactly (unknown fields kept)
};

struct NotificationResult {
    bool ok = false;
    std::string error;              // why it was refused (malformed JSON, not an object, no EventType...)
    Notification notification;
};

struct NotificationLimits {
    std::size_t max_bytes = 64 * 1024;
    std::size_t max_depth = 16;
};

NotificationResult parse_notification(std::string_view json_text, const NotificationLimits& limits = {});
// The event kind the gateway records: "meter_alarm" for OU/SS/PQ/RE/BAT/TS/CFG, 
// "meter_pqdif" for PQD, "meter_notification" for anything else.
std::string_view notification_event_kind(std::string_view event_type);

}  // namespace gridgate::notify
