// The `readings` batch payload, written by hand for speed (see json_text.hpp).
#include <array>

#include "gridgate/northbound/encoding.hpp"
#include "json_text.hpp"

namespace gridgate::northbound {

namespace {

// Writes ["name",...] for a quality bit set.
void append_quality_names(std::string& out, std::uint32_t flags) {
    out.push_back('[');
    bool first = true;
    for (const auto name : quality_names(flags)) {
        if (!first) out.push_back(',');
        first = false;
        json::append_string(out, name);
    }
    out.push_back(']');
}

// Quality arrays for every combination of the eight commonest flags (bits 0-7), rendered
// once: calling quality_names() per reading would allocate a vector each time. The
// interval-status flags above them are rare (a few intervals a day) and take the slow
// path. Immutable after its thread-safe initialisation.
constexpr std::uint32_t cached_flags = (1u << 8) - 1;
const std::array<std::string, cached_flags + 1>& quality_arrays() {
    static const auto table = [] {
        std::array<std::string, cached_flags + 1> arrays;
        for (std::uint32_t flags = 0; flags <= cached_flags; ++flags) append_quality_names(arrays[flags], flags);
        return arrays;
    }();
    return table;
}

std::size_t estimated_size(std::string_view gateway_id, std::span<const StoredReading> batch) {
    // Fixed keys, punctuation, seq, timestamp, value and quality take about 140 bytes.
    std::size_t size = 96 + gateway_id.size();
    for (const auto& stored : batch)
        size += 140 + stored.reading.meter.size() + stored.reading.point.size() + stored.reading.unit.size();
    return size;
}

}  // namespace

std::string encode_readings_batch(std::string_view gateway_id, std::span<const StoredReading> batch) {
    const auto& arrays = quality_arrays();
    json::TimestampWriter timestamps;
    std::string out;
    out.reserve(estimated_size(gateway_id, batch));

    out.append("{\"gateway\":");
    json::append_string(out, gateway_id);
    out.append(",\"first_seq\":");
    json::append_uint(out, batch.empty() ? 0 : batch.front().seq);
    out.append(",\"last_seq\":");
    json::append_uint(out, batch.empty() ? 0 : batch.back().seq);
    out.append(",\"count\":");
    json::append_uint(out, batch.size());
    out.append(",\"readings\":[");
    bool first = true;
    for (const auto& [seq, reading] : batch) {
        out.append(first ? "{\"seq\":" : ",{\"seq\":");
        first = false;
        json::append_uint(out, seq);
        out.append(",\"meter\":");
        json::append_string(out, reading.meter);
        out.append(",\"point\":");
        json::append_string(out, reading.point);
        out.append(",\"ts\":");
        timestamps.append(out, reading.ts_us);
        out.append(",\"value\":");
        json::append_number(out, reading.value);
        out.append(",\"unit\":");
        json::append_string(out, reading.unit);
        out.append(",\"quality\":");
        if (reading.quality <= cached_flags) out.append(arrays[reading.quality]);
        else append_quality_names(out, reading.quality);  // unknown bits: slow path
        out.append(",\"source\":");
        json::append_string(out, to_string(reading.source));
        out.push_back('}');
    }
    out.append("]}");
    return out;
}

}  // namespace gridgate::northbound
