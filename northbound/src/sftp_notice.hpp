#pragma once
// The `files` notice recorded with each delivery (FileOutbox::mark_delivered), which the
// MQTT forwarder publishes. Pure.
#include <string>
#include <string_view>

#include "gridgate/core/interfaces.hpp"

namespace gridgate::northbound {

struct FileNoticeFacts {
    std::string_view gateway_id;
    std::string_view sink;
    std::string_view remote_path;
    TimestampUs forwarded_us = 0;  // the Clock's wall time when the delivery was confirmed
};

// {"gateway":..,"meter":..,"name":..,"size":..,"sha256":..,"remote_path":..,"sink":..,
//  "received":"<ISO-8601 UTC>","forwarded":"<ISO-8601 UTC>","details":{..}}
// `details` is file.details_json parsed; {} when empty, {"unparsed":"<text>"} when it is
// not a JSON object (kept rather than dropped). Invalid UTF-8 in names becomes U+FFFD.
std::string make_file_notice(const SpooledFile& file, const FileNoticeFacts& facts);

}  // namespace gridgate::northbound
