#pragma once
// The HTTP-level rules of the alarm receiver, kept apart from the sockets so they are
// pure and unit-tested: which request heads are refused before the body is read (and
// with which status), and how a complete body becomes a Notification and its file.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gridgate/notify/notification.hpp"

namespace gridgate::notify {

struct AlarmRequestRules {
    std::string path = "/";                        // the only target served (query ignored)
    std::size_t max_body_bytes = 4 * 1024 * 1024;  // whole body
    std::size_t max_json_bytes = 64 * 1024;        // the JSON, whole body or json_msg part
};

struct AlarmRequestHead {
    std::string_view method;                     // "POST"
    std::string_view target;                     // "/alarms?x=1"
    std::string_view content_type;               // "" when absent
    std::optional<std::uint64_t> content_length; // nullopt when absent (chunked or no body)
};

enum class AlarmBodyKind { json, multipart };

// status 0: go on and read the body. Otherwise the final status (404, 405, 413, 415)
// and a short reason for the reply and the log.
struct AlarmHeadVerdict {
    int status = 0;
    std::string reason;
    AlarmBodyKind kind = AlarmBodyKind::json;
    std::string boundary;  // multipart only
};

AlarmHeadVerdict check_alarm_request_head(const AlarmRequestHead& head, const AlarmRequestRules& rules);

struct DecodedAlarm {
    int status = 0;               // 0 when fine, else 400, 413 or 415 with reason
    std::string reason;
    Notification notification;
    bool has_file = false;        // a pqdif_file part was posted
    std::string filename;         // its Content-Disposition filename, as sent
    std::string file_bytes;
};

// The body of a request whose head passed check_alarm_request_head (same rules).
DecodedAlarm decode_alarm_body(std::string_view body, const AlarmHeadVerdict& head, const AlarmRequestRules& rules);

}  // namespace gridgate::notify
