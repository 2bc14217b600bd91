#pragma once
// Turning DNP3 point values into readings: index to point name, unit and scale per object
// type, events mapped onto the point of their static type (g2 -> binary input, g22 ->
// counter, g23 -> frozen counter, g32 -> analog input), counter rollover detected. Pure.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gridgate/core/reading.hpp"
#include "gridgate/core/time_zone.hpp"
#include "gridgate/dnp3/app.hpp"

namespace gridgate::dnp3 {

enum class PointType : std::uint8_t { binary_input, binary_output, counter, frozen_counter, analog_input };
const char* to_string(PointType t);
std::optional<PointType> parse_point_type(const std::string& text);  // "binary_input", "counter", ...
PointType static_type(PointKind kind);  // g23 event -> frozen_counter, ...

enum class Rollover : std::uint8_t {
    none,       // not a counter, or never rolls over
    bits32,     // 4,294,967,295 -> 0
    decimal9,   // 999,999,999 -> 0 (the reference meter's "other value")
};
std::optional<Rollover> parse_rollover(const std::string& text);  // "none", "32bit", "999999999"

struct PointMapping {
    std::string name;
    PointType type = PointType::counter;
    std::uint32_t index = 0;
    double scale = 1.0;   // engineering value = raw * scale + offset
    double offset = 0.0;
    std::string unit;
    Rollover rollover = Rollover::none;
};

class PointMap {
public:
    explicit PointMap(std::string meter, std::vector<PointMapping> points = {});

    // Readings for the mapped points of a fragment; unmapped indices are counted and
    // skipped. Timestamps: the object's own time (events, time-tagged statics) when it
    // has one, else received_us. Quality: invalid unless the ONLINE flag is set (when
    // the variation carries flags), overflow when a counter rolled over since its
    // previous value (or the ROLLOVER flag is set), `extra_quality` on all (e.g. the
    // event buffer overflowed).
    std::vector<Reading> map(const std::vector<PointValue>& points, TimestampUs received_us,
                             std::uint32_t extra_quality = quality::good);
    // The same, also telling for each reading whether its timestamp came from the meter
    // (`meter_time[i]`, aligned with the result): only those can be recognised as an
    // outstation's resend of an event (EventDeduplicator).
    std::vector<Reading> map(const std::vector<PointValue>& points, TimestampUs received_us,
                             std::uint32_t extra_quality, std::vector<bool>& meter_time);

    // The outstation keeps local time in `zone` (nullopt: UTC, the default): its event and
    // time-tagged timestamps are converted as its clock reads (meter_time.hpp).
    void set_time_zone(std::optional<TimeZone> zone) { zone_ = std::move(zone); }

    std::uint64_t unmapped() const { return unmapped_; }
    // Counter decreases seen, by kind: a wrap from the top 10 % of the range, or a reset.
    std::uint64_t rollovers() const { return rollovers_; }
    std::uint64_t resets() const { return resets_; }
    const std::vector<PointMapping>& points() const { return points_; }

private:
    std::string meter_;
    std::optional<TimeZone> zone_;
    std::vector<PointMapping> points_;
    std::map<std::pair<PointType, std::uint32_t>, std::size_t> by_index_;
    // Latest raw value per mapping, for rollover; kept apart for meter-timestamped values
    // (events) and gateway-timestamped ones (statics), whose clocks need not agree.
    struct LastValue {
        TimestampUs ts_us = 0;
        double raw = 0.0;
    };
    std::map<std::pair<std::size_t, bool>, LastValue> last_;
    std::uint64_t unmapped_ = 0;
    std::uint64_t rollovers_ = 0;
    std::uint64_t resets_ = 0;
};

}  // namespace gridgate::dnp3
