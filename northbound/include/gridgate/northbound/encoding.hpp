#pragma once
// The northbound payload contract, pure: JSON encodings of reading batches and status
// messages, and the topic names. Documented in docs/northbound.md.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "gridgate/core/reading.hpp"

namespace gridgate::northbound {

struct Topics {
    std::string readings;  // <prefix>/<gateway>/readings
    std::string events;    // <prefix>/<gateway>/events
    std::string status;    // <prefix>/<gateway>/status (retained)
    std::string files;     // <prefix>/<gateway>/files
    std::string cmd;       // <prefix>/<gateway>/cmd/#
};
Topics make_topics(std::string_view prefix, std::string_view gateway_id);

// {"gateway":..,"first_seq":..,"last_seq":..,"count":..,"readings":[{"seq":..,"meter":..,
//  "point":..,"ts":"2026-11-21T10:15:00.000000Z","value":..,"unit":..,"quality":["good"],
//  "source":"modbus_tcp"}]}. `batch` must be non-empty and in seq order.
std::string encode_readings_batch(std::string_view gateway_id, std::span<const StoredReading> batch);

// Retained status payloads: birth ("online"), last will ("offline", unexpected) and
// clean shutdown ("offline", clean). `details` is a JSON object text merged in, or empty.
std::string encode_status(std::string_view gateway_id, std::string_view state, TimestampUs ts,
                          std::string_view details_json = {});

}  // namespace gridgate::northbound
