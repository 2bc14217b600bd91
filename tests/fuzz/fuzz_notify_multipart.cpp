// Fuzz target for what a meter (or anyone reaching the alarm port) posts: multipart/form-
// data bodies, Content-Type boundaries and notification JSON. Properties, not just
// survival: every accepted body re-encodes canonically to one that parses to the same
// parts; an accepted boundary survives quoting; an accepted notification parses again
// from its own stored JSON to the same fields. A violation is __builtin_trap().
// Input layout: first octet = boundary length (mod 72), then the boundary, then the body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gridgate/notify/alarm_request.hpp"
#include "gridgate/notify/multipart.hpp"
#include "gridgate/notify/notification.hpp"

using namespace gridgate::notify;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

std::string quoted(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"";
}

std::string encode(const std::vector<MultipartPart>& parts, std::string_view boundary) {
    std::string out;
    for (const auto& p : parts) {
        out.append("--").append(boundary).append("\r\n");
        out.append("Content-Disposition: form-data; name=").append(quoted(p.name));
        if (!p.filename.empty()) out.append("; filename=").append(quoted(p.filename));
        out.append("\r\n");
        if (!p.content_type.empty()) out.append("Content-Type: ").append(p.content_type).append("\r\n");
        out.append("\r\n").append(p.body).append("\r\n");
    }
    return out.append("--").append(boundary).append("--\r\n");
}

void multipart(std::string_view input) {
    if (input.empty()) return;
    const std::size_t n = std::min<std::size_t>(static_cast<unsigned char>(input[0]) % 72, input.size() - 1);
    const auto boundary = input.substr(1, n);
    const auto body = input.substr(1 + n);

    const MultipartLimits limits;
    const auto r = parse_multipart(body, boundary, limits);
    check(r.ok == r.error.empty());
    if (!r.ok) {
        check(r.parts.empty());
        return;
    }
    check(!r.parts.empty() && r.parts.size() <= limits.max_parts);
    std::size_t total = 0;
    for (const auto& p : r.parts) {
        check(!p.name.empty());
        check(body.find(p.body) != std::string_view::npos);
        total += p.body.size();
    }
    check(total <= body.size());

    const auto again = parse_multipart(encode(r.parts, boundary), boundary, MultipartLimits{limits.max_parts, 3 * limits.max_part_header_bytes});
    check(again.ok && again.parts.size() == r.parts.size());
    for (std::size_t i = 0; i < r.parts.size(); ++i) {
        check(again.parts[i].name == r.parts[i].name);
        check(again.parts[i].filename == r.parts[i].filename);
        check(again.parts[i].content_type == r.parts[i].content_type);
        check(again.parts[i].body == r.parts[i].body);
    }

    // The same body through the receiver's rules, as the meter's post would go.
    AlarmRequestRules rules;
    AlarmHeadVerdict head;
    head.kind = AlarmBodyKind::multipart;
    head.boundary = std::string(boundary);
    const auto decoded = decode_alarm_body(body, head, rules);
    check(decoded.status == 0 || decoded.status == 400 || decoded.status == 413 || decoded.status == 415);
    if (decoded.status == 0) check(!decoded.notification.event_type.empty());
}

void boundary_header(std::string_view input) {
    const auto b = multipart_boundary(input);
    if (!b) return;
    check(!b->empty() && b->size() <= 70 && b->back() != ' ');
    check(multipart_boundary("multipart/form-data; boundary=" + quoted(*b)) == b);
}

void notification(std::string_view input) {
    const auto r = parse_notification(input);
    check(r.ok == r.error.empty());
    if (!r.ok) return;
    const auto& n = r.notification;
    check(!n.event_type.empty());
    check(n.json.size() <= NotificationLimits{}.max_bytes + input.size());
    const auto again = parse_notification(n.json, NotificationLimits{2 * n.json.size() + 16, NotificationLimits{}.max_depth});
    check(again.ok);
    check(again.notification.json == n.json);
    check(again.notification.event_type == n.event_type && again.notification.device_id == n.device_id &&
          again.notification.event_id == n.event_id && again.notification.event_time == n.event_time &&
          again.notification.event_time_us == n.event_time_us);
    (void)notification_event_kind(n.event_type);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    multipart(input);
    boundary_header(input);
    notification(input);
    return 0;
}
