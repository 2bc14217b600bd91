#include "gridgate/sim/meter_model.hpp"

#include <algorithm>
#include <cmath>

#include "gridgate/sim/analog_scaling.hpp"

namespace gridgate::sim {

namespace {

constexpr std::int64_t us_per_second = 1'000'000;
constexpr double us_per_hour = 3.6e9;

// The interval-sync input pulses for the first seconds of every 15-minute interval.
constexpr std::int64_t demand_interval_s = 900;
constexpr std::int64_t sync_pulse_s = 10;
// The manual's default triggers 1-3: phase voltage line-neutral above 100 V.
constexpr double trigger_volts = 100.0;

std::size_t index(auto e) { return static_cast<std::size_t>(e); }

}  // namespace

MeterModel::MeterModel(const MapLayout& layout, const LoadParams& load, SteadyTime start)
    : layout_(layout),
      load_(load),
      start_(start),
      energy_(layout.counter_pairs, 0.0),
      counted_to_(layout.counter_pairs, 0),
      analogs_(layout.analog_count, 0),
      discretes_(layout.discrete_count, false),
      coils_(layout.coil_count, false) {
    load_tick(0);
}

MeterModel::MeterModel(const MapLayout& layout, std::uint64_t seed, SteadyTime start)
    : MeterModel(layout, LoadParams::from_seed(seed), start) {
    // Plausible, different starting readings: a few to a few hundred MWh delivered,
    // much less received, reactive a fraction of active, apparent above active.
    std::uint64_t state = mix_seed(seed ^ 0xC0FFEEull);
    auto draw = [&state](double lo, double hi) {
        state = mix_seed(state);
        return lo + (hi - lo) * static_cast<double>(state >> 11) * 0x1.0p-53;
    };
    const double wh_del = std::floor(draw(5.0e6, 4.0e8));
    const double assigned[assigned_counter_count] = {
        wh_del, std::floor(draw(0.0, 2.0e6)), std::floor(wh_del * draw(0.2, 0.5)), std::floor(draw(0.0, 1.0e6)),
        std::floor(wh_del * draw(1.05, 1.2))};
    for (std::size_t k = 0; k < assigned_counter_count && k < energy_.size(); ++k) energy_[k] = assigned[k];
}

std::int64_t MeterModel::model_time_at(SteadyTime now) const {
    const SteadyTime effective = frozen_ ? frozen_since_ : now;
    return std::chrono::duration_cast<Duration>(effective - start_ - paused_).count();
}

void MeterModel::advance_to(SteadyTime now) {
    const std::int64_t target = model_time_at(now);
    if (target <= time_us_) return;
    // Close every tick that ended before `target`, then move into the current one.
    while (target >= (tick_ + 1) * us_per_second) {
        const std::int64_t tick_end = (tick_ + 1) * us_per_second;
        for (std::uint16_t k = 0; k < energy_.size() && k < assigned_counter_count; ++k) {
            energy_[k] += rate(k) * static_cast<double>(tick_end - counted_to_[k]) / us_per_hour;
            counted_to_[k] = tick_end;
        }
        load_tick(tick_ + 1);
    }
    time_us_ = target;
}

void MeterModel::set_frozen(bool frozen, SteadyTime now) {
    if (frozen == frozen_) return;
    if (frozen) {
        advance_to(now);
        frozen_since_ = now;
    } else {
        paused_ += std::chrono::duration_cast<Duration>(now - frozen_since_);
    }
    frozen_ = frozen;
}

double MeterModel::rate(std::uint16_t k) const {
    const Instant& in = instant_;
    switch (static_cast<Counter>(k)) {
        case Counter::wh_del: return std::max(in.watts_total, 0.0);
        case Counter::wh_rec: return std::max(-in.watts_total, 0.0);
        case Counter::varh_del: return std::max(in.vars_total, 0.0);
        case Counter::varh_rec: return std::max(-in.vars_total, 0.0);
        case Counter::vah_del: return in.va_total;
    }
    return 0.0;  // unassigned counters hold their value
}

void MeterModel::load_tick(std::int64_t second) {
    tick_ = second;
    instant_ = load_.at(second);
    const Instant& in = instant_;

    const std::pair<Analog, std::uint16_t> values[] = {
        {Analog::va, analog_register(in.phase[0].volts, volts_range)},
        {Analog::vb, analog_register(in.phase[1].volts, volts_range)},
        {Analog::vc, analog_register(in.phase[2].volts, volts_range)},
        {Analog::ia, analog_register(in.phase[0].amps, amps_range)},
        {Analog::ib, analog_register(in.phase[1].amps, amps_range)},
        {Analog::ic, analog_register(in.phase[2].amps, amps_range)},
        {Analog::wa, analog_register(in.phase[0].watts, phase_power_range)},
        {Analog::wb, analog_register(in.phase[1].watts, phase_power_range)},
        {Analog::wc, analog_register(in.phase[2].watts, phase_power_range)},
        {Analog::w_total, analog_register(in.watts_total, total_power_range)},
        {Analog::vara, analog_register(in.phase[0].vars, phase_power_range)},
        {Analog::varb, analog_register(in.phase[1].vars, phase_power_range)},
        {Analog::varc, analog_register(in.phase[2].vars, phase_power_range)},
        {Analog::var_total, analog_register(in.vars_total, total_power_range)},
        {Analog::pfa, analog_register(in.phase[0].pf, power_factor_range)},
        {Analog::pfb, analog_register(in.phase[1].pf, power_factor_range)},
        {Analog::pfc, analog_register(in.phase[2].pf, power_factor_range)},
        {Analog::pf_total, analog_register(in.pf_total, power_factor_range)},
        {Analog::freq, analog_register(in.frequency, frequency_range)},
    };
    for (const auto& [address, raw] : values)
        if (index(address) < analogs_.size()) analogs_[index(address)] = raw;

    const std::pair<DiscreteInput, bool> bits[] = {
        {DiscreteInput::di1, second % demand_interval_s < sync_pulse_s},
        {DiscreteInput::di2, false},
        {DiscreteInput::trig1, in.phase[0].volts > trigger_volts},
        {DiscreteInput::trig2, in.phase[1].volts > trigger_volts},
        {DiscreteInput::trig3, in.phase[2].volts > trigger_volts},
    };
    for (const auto& [address, on] : bits)
        if (index(address) < discretes_.size()) discretes_[index(address)] = on;
}

double MeterModel::counter_energy(std::uint16_t k) const {
    if (k >= assigned_counter_count) return energy_[k];
    return energy_[k] + rate(k) * static_cast<double>(time_us_ - counted_to_[k]) / us_per_hour;
}

std::uint32_t MeterModel::counter(std::uint16_t k) const {
    const double e = std::max(counter_energy(k), 0.0);
    return static_cast<std::uint32_t>(static_cast<std::uint64_t>(e) % counter_rollover);
}

void MeterModel::preset_counter(std::uint16_t k, std::uint32_t value) {
    energy_[k] = static_cast<double>(value);
    counted_to_[k] = time_us_;
}

void MeterModel::read_holding_registers(std::uint16_t address, std::uint16_t count,
                                        std::vector<std::uint16_t>& out) const {
    out.clear();
    out.reserve(count);
    for (std::uint32_t a = address; a < std::uint32_t{address} + count; ++a) {
        const std::uint32_t value = counter(static_cast<std::uint16_t>(a / 2));
        out.push_back(static_cast<std::uint16_t>(a % 2 == 0 ? value >> 16 : value & 0xFFFF));
    }
}

void MeterModel::read_input_registers(std::uint16_t address, std::uint16_t count,
                                      std::vector<std::uint16_t>& out) const {
    out.assign(analogs_.begin() + address, analogs_.begin() + address + count);
}

void MeterModel::read_discrete_inputs(std::uint16_t address, std::uint16_t count, std::vector<bool>& out) const {
    out.assign(discretes_.begin() + address, discretes_.begin() + address + count);
}

void MeterModel::read_coils(std::uint16_t address, std::uint16_t count, std::vector<bool>& out) const {
    out.assign(coils_.begin() + address, coils_.begin() + address + count);
}

}  // namespace gridgate::sim
