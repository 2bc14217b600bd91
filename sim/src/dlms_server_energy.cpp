#include "dlms_server_energy.hpp"

#include <algorithm>

namespace gridgate::sim::dlms_server {

namespace {

constexpr double us_per_hour = 3.6e9;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Adds `weight_us` of the load held at `inst`.
void add_sample(EnergySums& sums, const Instant& inst, std::int64_t weight_us) {
    const double hours = static_cast<double>(weight_us) / us_per_hour;
    auto add = [hours](double& del, double& rec, double power) {
        if (power >= 0)
            del += power * hours;
        else
            rec -= power * hours;
    };
    for (std::size_t i = 0; i < 3; ++i) {
        add(sums.wh_del[i], sums.wh_rec[i], inst.phase[i].watts);
        add(sums.varh_del[i], sums.varh_rec[i], inst.phase[i].vars);
    }
    add(sums.wh_del[3], sums.wh_rec[3], inst.watts_total);
    add(sums.varh_del[3], sums.varh_rec[3], inst.vars_total);
}

// Energy over [from, to) with power on throughout.
void integrate_powered(EnergySums& sums, const LoadModel& load, TimestampUs from_us, TimestampUs to_us) {
    if (to_us <= from_us) return;
    for (std::int64_t g = floor_div(from_us, integration_step_us) * integration_step_us; g < to_us;
         g += integration_step_us) {
        const std::int64_t overlap = std::min(to_us, g + integration_step_us) - std::max(from_us, g);
        if (overlap > 0) add_sample(sums, load.at(model_second(g)), overlap);
    }
}

}  // namespace

std::int64_t model_second(TimestampUs meter_us) { return floor_div(meter_us, 1'000'000); }

EnergySums& EnergySums::operator+=(const EnergySums& other) {
    for (std::size_t i = 0; i < 4; ++i) {
        wh_del[i] += other.wh_del[i];
        wh_rec[i] += other.wh_rec[i];
        varh_del[i] += other.varh_del[i];
        varh_rec[i] += other.varh_rec[i];
    }
    return *this;
}

EnergySums integrate_energy(const LoadModel& load, TimestampUs from_us, TimestampUs to_us,
                            const std::vector<Outage>& outages) {
    EnergySums sums;
    // Walk the powered pieces of [from, to): outages are few, sort a copy of the ones
    // that overlap.
    std::vector<Outage> cut;
    for (const Outage& o : outages)
        if (o.from_us < to_us && o.to_us > from_us) cut.push_back(o);
    std::sort(cut.begin(), cut.end(), [](const Outage& a, const Outage& b) { return a.from_us < b.from_us; });
    TimestampUs at = from_us;
    for (const Outage& o : cut) {
        integrate_powered(sums, load, at, std::min(o.from_us, to_us));
        at = std::max(at, o.to_us);
    }
    integrate_powered(sums, load, at, to_us);
    return sums;
}

EnergySums EnergyRegisters::at(const LoadModel& load, TimestampUs meter_us, const std::vector<Outage>& outages) {
    if (meter_us <= counted_to_) return total_;
    // Whole grid steps are banked; the part of the current step is added on each read.
    const TimestampUs banked_to = floor_div(meter_us, integration_step_us) * integration_step_us;
    if (banked_to > counted_to_) {
        total_ += integrate_energy(load, counted_to_, banked_to, outages);
        counted_to_ = banked_to;
    }
    EnergySums now = total_;
    now += integrate_energy(load, counted_to_, meter_us, outages);
    return now;
}

void EnergyRegisters::clock_stepped(const LoadModel& load, TimestampUs old_meter_us, TimestampUs new_meter_us,
                                    const std::vector<Outage>& outages) {
    total_ = at(load, old_meter_us, outages);
    counted_to_ = new_meter_us;
}

}  // namespace gridgate::sim::dlms_server
