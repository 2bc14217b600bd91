#pragma once
// The benchmark's in-memory Outbox: its readings are generated from their seq on every
// read (40 JEMStar II meters x 25 points), so a million buffered readings cost no memory
// and the process's RSS is the forwarder's own. Cursors behave as the store's
// (monotonic, clamped to last_seq).
#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/interfaces.hpp"

namespace gg_bench {

class SyntheticOutbox final : public gridgate::Outbox {
public:
    explicit SyntheticOutbox(std::uint64_t buffered) : last_(buffered) {}

    // New readings committed now (live polling); returns the last seq.
    std::uint64_t append(std::uint64_t count) {
        std::lock_guard lock(mutex_);
        last_ += count;
        return last_;
    }

    std::vector<gridgate::StoredReading> read_after(std::uint64_t after, std::size_t max_count) override {
        const std::uint64_t last = last_seq();
        std::vector<gridgate::StoredReading> out;
        if (after >= last) return out;
        const auto count = static_cast<std::size_t>(std::min<std::uint64_t>(max_count, last - after));
        out.reserve(count);
        for (std::uint64_t seq = after + 1; seq <= after + count; ++seq) out.push_back({seq, reading_for(seq)});
        return out;
    }

    std::uint64_t cursor(std::string_view sink) override {
        std::lock_guard lock(mutex_);
        const auto it = cursors_.find(sink);
        return it == cursors_.end() ? 0 : it->second;
    }

    void advance_cursor(std::string_view sink, std::uint64_t seq) override {
        std::lock_guard lock(mutex_);
        auto& cursor = cursors_[std::string(sink)];
        cursor = std::max(cursor, std::min(seq, last_));
    }

    std::uint64_t last_seq() override {
        std::lock_guard lock(mutex_);
        return last_;
    }

    gridgate::BacklogInfo backlog(std::string_view sink) override {
        gridgate::BacklogInfo info;
        info.cursor = cursor(sink);
        info.last_seq = last_seq();
        info.readings = info.last_seq - info.cursor;
        if (info.readings > 0) info.oldest_ts_us = reading_for(info.cursor + 1).ts_us;
        return info;
    }

    static gridgate::Reading reading_for(std::uint64_t seq) {
        static const std::array<std::pair<const char*, const char*>, 25> points{{
            {"kwh_del", "kWh"},   {"kwh_rec", "kWh"},   {"kvarh_del", "kvarh"}, {"kvarh_rec", "kvarh"},
            {"kvah", "kVAh"},     {"v_a", "V"},         {"v_b", "V"},           {"v_c", "V"},
            {"i_a", "A"},         {"i_b", "A"},         {"i_c", "A"},           {"i_n", "A"},
            {"kw_a", "kW"},       {"kw_b", "kW"},       {"kw_c", "kW"},         {"kw_total", "kW"},
            {"kvar_total", "kvar"}, {"kva_total", "kVA"}, {"pf_total", ""},     {"freq", "Hz"},
            {"thd_v_a", "%"},     {"thd_i_a", "%"},     {"demand_kw", "kW"},    {"peak_kw", "kW"},
            {"temp", "C"},
        }};
        gridgate::Reading r;
        const auto index = seq - 1;
        const auto& [point, unit] = points[index % points.size()];
        r.meter = "jemstar-" + std::to_string((index / points.size()) % 40);
        r.point = point;
        r.unit = unit;
        // One poll of the 1000 points per second, starting 2026-01-01T00:00:00Z.
        r.ts_us = 1'767'225'600'000'000 + static_cast<gridgate::TimestampUs>(index / 1000) * 1'000'000;
        r.value = static_cast<double>(seq) * 0.25;
        r.quality = gridgate::quality::good;
        r.source = gridgate::Source::modbus_tcp;
        return r;
    }

private:
    mutable std::mutex mutex_;
    std::uint64_t last_;
    std::map<std::string, std::uint64_t, std::less<>> cursors_;
};

}  // namespace gg_bench
