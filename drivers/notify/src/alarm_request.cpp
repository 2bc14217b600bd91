// What the receiver accepts, decided on plain strings. The head is judged before any
// body octet is read, so an Expect: 100-continue client is told 404/405/413/415 without
// uploading its file.
#include "gridgate/notify/alarm_request.hpp"

#include "gridgate/notify/multipart.hpp"
#include "header_value.hpp"

namespace gridgate::notify {
namespace {

using detail::parse_header_value;

// application/json, with no charset or a UTF-8 one (RFC 8259 allows nothing else).
bool is_json_type(std::string_view content_type) {
    const auto parsed = parse_header_value(content_type);
    if (!parsed || parsed->value != "application/json") return false;
    const auto* charset = parsed->param("charset");
    return !charset || detail::iequals(*charset, "utf-8") || detail::iequals(*charset, "utf8") ||
           detail::iequals(*charset, "us-ascii");
}

AlarmHeadVerdict verdict(int status, std::string reason) {
    AlarmHeadVerdict v;
    v.status = status;
    v.reason = std::move(reason);
    return v;
}

DecodedAlarm refused(int status, std::string reason) {
    DecodedAlarm d;
    d.status = status;
    d.reason = std::move(reason);
    return d;
}

// The JSON (whole body or json_msg part) into the result, or the refusal.
DecodedAlarm decode_json(std::string_view text, const AlarmRequestRules& rules) {
    if (text.size() > rules.max_json_bytes)
        return refused(413, "JSON larger than " + std::to_string(rules.max_json_bytes) + " bytes");
    auto parsed = parse_notification(text, NotificationLimits{rules.max_json_bytes, NotificationLimits{}.max_depth});
    if (!parsed.ok) return refused(400, parsed.error);
    DecodedAlarm d;
    d.notification = std::move(parsed.notification);
    return d;
}

DecodedAlarm decode_multipart(std::string_view body, const std::string& boundary, const AlarmRequestRules& rules) {
    auto split = parse_multipart(body, boundary);
    if (!split.ok) return refused(400, "multipart: " + split.error);
    const MultipartPart* json_part = nullptr;
    const MultipartPart* file_part = nullptr;
    for (const auto& part : split.parts) {
        // Other parts are tolerated (and dropped): a later firmware may add some.
        if (part.name == "json_msg") {
            if (json_part) return refused(400, "two json_msg parts");
            json_part = &part;
        } else if (part.name == "pqdif_file") {
            if (file_part) return refused(400, "two pqdif_file parts");
            file_part = &part;
        }
    }
    if (!json_part) return refused(400, "multipart without a json_msg part");
    if (!json_part->content_type.empty() && !is_json_type(json_part->content_type))
        return refused(415, "json_msg part is not application/json");
    auto decoded = decode_json(json_part->body, rules);
    if (decoded.status != 0 || !file_part) return decoded;
    decoded.has_file = true;
    decoded.filename = file_part->filename;
    decoded.file_bytes = file_part->body;
    return decoded;
}

}  // namespace

AlarmHeadVerdict check_alarm_request_head(const AlarmRequestHead& head, const AlarmRequestRules& rules) {
    const auto path = head.target.substr(0, head.target.find('?'));
    if (path != rules.path) return verdict(404, "no such path");
    if (head.method != "POST") return verdict(405, "method not allowed");

    AlarmHeadVerdict ok;
    if (is_json_type(head.content_type)) {
        ok.kind = AlarmBodyKind::json;
        if (head.content_length && *head.content_length > rules.max_json_bytes)
            return verdict(413, "JSON body larger than " + std::to_string(rules.max_json_bytes) + " bytes");
    } else if (auto boundary = multipart_boundary(head.content_type)) {
        ok.kind = AlarmBodyKind::multipart;
        ok.boundary = std::move(*boundary);
    } else {
        const auto parsed = parse_header_value(head.content_type);
        if (parsed && parsed->value == "multipart/form-data") return verdict(415, "multipart without a valid boundary");
        return verdict(415, head.content_type.empty() ? "no content type" : "unsupported content type");
    }
    if (head.content_length && *head.content_length > rules.max_body_bytes)
        return verdict(413, "body larger than " + std::to_string(rules.max_body_bytes) + " bytes");
    return ok;
}

DecodedAlarm decode_alarm_body(std::string_view body, const AlarmHeadVerdict& head, const AlarmRequestRules& rules) {
    if (body.size() > rules.max_body_bytes)
        return refused(413, "body larger than " + std::to_string(rules.max_body_bytes) + " bytes");
    return head.kind == AlarmBodyKind::json ? decode_json(body, rules) : decode_multipart(body, head.boundary, rules);
}

}  // namespace gridgate::notify
