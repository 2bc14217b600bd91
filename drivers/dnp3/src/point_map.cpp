// Point mapping: DNP3 point values of a fragment to readings of configured points.
#include "gridgate/dnp3/point_map.hpp"

#include "gridgate/dnp3/meter_time.hpp"

namespace gridgate::dnp3 {

namespace {

bool is_counter(PointType t) { return t == PointType::counter || t == PointType::frozen_counter; }

// 16-bit counter variations (g20v2 v6, g21v2 v10, g22v2 v6, g23v2 v6) wrap at 65,535
// whatever the meter's configured rollover.
bool is_16bit_counter(const PointValue& p) {
    switch (p.group) {
        case 20:
        case 22:
        case 23: return p.variation == 2 || p.variation == 6;
        case 21: return p.variation == 2 || p.variation == 10;
        default: return false;
    }
}

// The highest value a counter reaches before it wraps to 0; 0 when it never wraps.
double counter_range(const PointMapping& m, const PointValue& p) {
    if (is_16bit_counter(p)) return 65535.0;
    switch (m.rollover) {
        case Rollover::bits32: return 4294967295.0;
        case Rollover::decimal9: return 999999999.0;
        case Rollover::none: return 0.0;
    }
    return 0.0;
}

}  // namespace

const char* to_string(PointType t) {
    switch (t) {
        case PointType::binary_input: return "binary_input";
        case PointType::binary_output: return "binary_output";
        case PointType::counter: return "counter";
        case PointType::frozen_counter: return "frozen_counter";
        case PointType::analog_input: return "analog_input";
    }
    return "unknown";
}

std::optional<PointType> parse_point_type(const std::string& text) {
    for (const PointType t : {PointType::binary_input, PointType::binary_output, PointType::counter,
                              PointType::frozen_counter, PointType::analog_input})
        if (text == to_string(t)) return t;
    return std::nullopt;
}

PointType static_type(PointKind kind) {
    switch (kind) {
        case PointKind::binary_input:
        case PointKind::binary_input_event: return PointType::binary_input;
        case PointKind::binary_output: return PointType::binary_output;
        case PointKind::counter:
        case PointKind::counter_event: return PointType::counter;
        case PointKind::frozen_counter:
        case PointKind::frozen_counter_event: return PointType::frozen_counter;
        case PointKind::analog_input:
        case PointKind::analog_input_event: return PointType::analog_input;
    }
    return PointType::analog_input;
}

std::optional<Rollover> parse_rollover(const std::string& text) {
    if (text == "none") return Rollover::none;
    if (text == "32bit") return Rollover::bits32;
    if (text == "999999999") return Rollover::decimal9;
    return std::nullopt;
}

PointMap::PointMap(std::string meter, std::vector<PointMapping> points)
    : meter_(std::move(meter)), points_(std::move(points)) {
    // A second mapping of the same point is a configuration error the loader reports;
    // here the first one wins.
    for (std::size_t i = 0; i < points_.size(); ++i) by_index_.emplace(std::pair{points_[i].type, points_[i].index}, i);
}

std::vector<Reading> PointMap::map(const std::vector<PointValue>& points, TimestampUs received_us,
                                   std::uint32_t extra_quality) {
    std::vector<bool> meter_time;
    return map(points, received_us, extra_quality, meter_time);
}

std::vector<Reading> PointMap::map(const std::vector<PointValue>& points, TimestampUs received_us,
                                   std::uint32_t extra_quality, std::vector<bool>& meter_time) {
    std::vector<Reading> out;
    out.reserve(points.size());
    meter_time.clear();
    meter_time.reserve(points.size());
    for (const PointValue& p : points) {
        const auto found = by_index_.find({static_type(p.kind), p.index});
        if (found == by_index_.end()) {
            ++unmapped_;
            continue;
        }
        const std::size_t slot = found->second;
        const PointMapping& m = points_[slot];
        const bool from_meter = p.time.has_value();

        Reading r;
        r.meter = meter_;
        r.point = m.name;
        r.ts_us = !from_meter ? received_us
                  : zone_     ? meter_time_to_utc(*p.time, zone_, received_us)
                              : static_cast<TimestampUs>(*p.time) * 1000;
        r.value = p.value * m.scale + m.offset;
        r.unit = m.unit;
        r.source = Source::dnp3;
        r.quality = extra_quality;
        if (p.has_flags && (p.flags & flags::online) == 0) r.quality |= quality::invalid;

        if (is_counter(m.type)) {
            if (p.has_flags && (p.flags & flags::rollover) != 0) r.quality |= quality::overflow;
            // Compared in time order only: an older value (a resent or late event) says
            // nothing about a wrap since the newest one.
            auto [last, first] = last_.try_emplace(std::pair{slot, from_meter}, LastValue{r.ts_us, p.value});
            if (!first && r.ts_us >= last->second.ts_us) {
                if (p.value < last->second.raw) {
                    // A wrap comes from near the top of the range; a drop from lower down is a
                    // reset (meter cleared, replaced). Either way the difference to the
                    // previous value is not the consumption, so the reading is flagged.
                    const double range = counter_range(m, p);
                    if (range > 0.0 && last->second.raw >= range * 0.9) ++rollovers_;
                    else ++resets_;
                    r.quality |= quality::overflow;
                }
                last->second = LastValue{r.ts_us, p.value};
            }
        }
        out.push_back(std::move(r));
        meter_time.push_back(from_meter);
    }
    return out;
}

}  // namespace gridgate::dnp3
