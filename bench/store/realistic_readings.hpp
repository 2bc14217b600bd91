#pragma once
// Readings shaped like a real site, for the store benchmarks and store_fill: M meters of
// N points polled every `interval`. About 3/7 of the points are energy counters
// (278394.136 kWh, rising by a few Wh per poll), the rest analogs (121.0037 V, wandering).
// All points of one poll share the poll's timestamp plus the meter's response delay in µs,
// as the gateway stamps them. Deterministic: the same poll time gives the same readings,
// so a store can be extended where it stopped.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "gridgate/core/reading.hpp"

namespace gridgate::bench {

class RealisticReadings {
public:
    struct Shape {
        unsigned meters = 30;
        unsigned points = 350;
        std::int64_t interval_us = 1'000'000;
    };

    explicit RealisticReadings(Shape shape) : shape_(shape) {
        for (unsigned m = 0; m < shape_.meters; ++m) meter_names_.push_back("meter-" + two_digits(m + 1));
        for (unsigned p = 0; p < shape_.points; ++p) {
            const bool counter = is_counter(p);
            point_names_.push_back((counter ? "wh_" : "ai_") + three_digits(p + 1));
        }
    }

    std::size_t readings_per_poll() const { return std::size_t{shape_.meters} * shape_.points; }

    // The wall-aligned poll time at or before ts_us.
    TimestampUs poll_at_or_before(TimestampUs ts_us) const {
        const TimestampUs r = ts_us % shape_.interval_us;
        return ts_us - (r < 0 ? r + shape_.interval_us : r);
    }
    std::int64_t interval_us() const { return shape_.interval_us; }

    // Appends every reading of the poll at poll_ts (all meters) to out.
    void append_poll(TimestampUs poll_ts, std::vector<Reading>& out) const {
        // Counters count polls since a fixed date, so they keep rising across runs.
        const auto poll = static_cast<std::uint64_t>(std::max<TimestampUs>(0, poll_ts - counters_epoch_us) /
                                                     shape_.interval_us);
        for (unsigned m = 0; m < shape_.meters; ++m) {
            // The meter answers 2..60 ms after the poll starts, to the µs.
            const auto delay = static_cast<std::int64_t>(2'000 + mix(poll, m, 0) % 58'000);
            for (unsigned p = 0; p < shape_.points; ++p) {
                Reading r;
                r.meter = meter_names_[m];
                r.point = point_names_[p];
                r.ts_us = poll_ts + delay;
                r.value = value(poll, m, p);
                r.unit = is_counter(p) ? "kWh" : "V";
                r.quality = quality::good;
                r.source = Source::modbus_tcp;
                out.push_back(std::move(r));
            }
        }
    }

private:
    static constexpr TimestampUs counters_epoch_us = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z

    static bool is_counter(unsigned point) { return point % 7 < 3; }

    // Decimal values as a meter scales them: thousandths of a kWh, ten-thousandths of a V.
    double value(std::uint64_t poll, unsigned meter, unsigned point) const {
        if (is_counter(point)) {
            const std::uint64_t start = 150'000'000 + mix(0, meter, point + 1) % 250'000'000;  // Wh
            const std::uint64_t per_poll = 1 + mix(1, meter, point + 1) % 40;
            return static_cast<double>(start + poll * per_poll) / 1000.0;
        }
        const auto centre = static_cast<std::int64_t>(1'150'000 + mix(2, meter, point + 1) % 150'000);
        const auto wander = static_cast<std::int64_t>(mix(poll + 3, meter, point + 1) % 20'001) - 10'000;
        return static_cast<double>(centre + wander) / 10'000.0;
    }

    // splitmix64 over the three inputs: cheap, stateless, well spread.
    static std::uint64_t mix(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
        std::uint64_t z = a * 0x9E3779B97F4A7C15ULL + b * 0xBF58476D1CE4E5B9ULL + c * 0x94D049BB133111EBULL + 1;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

    static std::string two_digits(unsigned n) { return (n < 10 ? "0" : "") + std::to_string(n); }
    static std::string three_digits(unsigned n) { return (n < 100 ? "0" : "") + two_digits(n); }

    Shape shape_;
    std::vector<std::string> meter_names_;
    std::vector<std::string> point_names_;
};

}  // namespace gridgate::bench
