#pragma once
// The northbound payload contract, pure: JSON encodings of reading batches, events and
// status messages, and the topic names. Documented in docs/northbound.md.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "gridgate/core/interfaces.hpp"
#include "gridgate/core/reading.hpp"

namespace gridgate::northbound {

struct Topics {
    std::string readings;  // <prefix>/<gateway>/readings
    std::string events;    // <prefix>/<gateway>/events
    std::string status;    // <prefix>/<gateway>/status (retained)
    std::string files;     // <prefix>/<gateway>/files
    std::string cmd;       // <prefix>/<gateway>/cmd/#
};
// Throws std::invalid_argument (a configuration error) for an empty gateway id, a '/' in
// it, or an MQTT wildcard ('+', '#') in either part. An empty prefix gives "<gateway>/...".
Topics make_topics(std::string_view prefix, std::string_view gateway_id);

// {"gateway":..,"first_seq":..,"last_seq":..,"count":..,"readings":[{"seq":..,"meter":..,
//  "point":..,"ts":"2026-11-21T10:15:00.000000Z","value":..,"unit":..,"quality":["good"],
//  "source":"modbus_tcp"}]}. `batch` must be non-empty and in seq order (an empty one
//  gives first_seq = last_seq = count = 0 and no readings). `count` is the number of
//  readings, which is less than last - first + 1 when the store dropped some by quota.
//  Values are JSON numbers in shortest round-trip form; NaN and infinities become null
//  (the quality flags stay as they are). Strings are escaped, and bytes that are not
//  UTF-8 become U+FFFD, so the result is always valid JSON.
std::string encode_readings_batch(std::string_view gateway_id, std::span<const StoredReading> batch);

// One `events` message: {"gateway":..,"id":..,"ts":"2026-11-21T10:15:02.120Z","kind":..,
// "meter":..,"detail":{..}}. ts is ISO-8601 UTC with milliseconds. "meter" is there only
// when the detail has a string field "meter" (its value). The detail object is copied as
// it is; a detail that is not a JSON object (the store refuses those, another outbox
// might not) is carried as {"raw":"<its text>"} rather than holding up the stream.
// Always valid JSON (invalid UTF-8 becomes U+FFFD).
std::string encode_event(std::string_view gateway_id, const GatewayEvent& event);

// Events of kind "file_forwarded" (a file sink delivered a spooled file) are published on
// the `files` topic instead, as the notice itself: {"gateway":..,"id":..,"ts":..} followed
// by the notice's fields (meter, name, size, sha256, remote_path, sink, received,
// forwarded, details). docs/northbound.md.
inline constexpr std::string_view file_notice_kind = "file_forwarded";
inline bool is_file_notice(const GatewayEvent& event) { return event.kind == file_notice_kind; }
std::string encode_file_notice(std::string_view gateway_id, const GatewayEvent& event);

// Retained status payloads: birth ("online"), last will ("offline", unexpected) and
// clean shutdown ("offline", clean). `details` is a JSON object text merged in, or empty;
// its keys follow gateway, state and ts, which it cannot override. Throws
// std::invalid_argument if details is not a JSON object.
std::string encode_status(std::string_view gateway_id, std::string_view state, TimestampUs ts,
                          std::string_view details_json = {});

}  // namespace gridgate::northbound
