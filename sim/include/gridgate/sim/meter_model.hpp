#pragma once
// One simulated meter's data: the load model advanced lazily to the time of each
// request, energy counters integrating it, and the four Modbus tables derived from it.
// Time comes in as a parameter (steady time), never from a clock, so tests can drive it.
#include <array>
#include <cstdint>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/sim/load_model.hpp"
#include "gridgate/sim/register_map.hpp"

namespace gridgate::sim {

class MeterModel {
public:
    // Load parameters and starting counter readings drawn from `seed`.
    MeterModel(const MapLayout& layout, std::uint64_t seed, SteadyTime start);
    // Explicit load; every counter starts at 0.
    MeterModel(const MapLayout& layout, const LoadParams& load, SteadyTime start);

    const MapLayout& layout() const { return layout_; }
    const LoadModel& load() const { return load_; }

    // Integrates the load up to `now`. Cheap when called again within the same tick;
    // time that goes backwards (or stands still while frozen) changes nothing.
    void advance_to(SteadyTime now);

    // Freezing stops model time: values stay constant until unfrozen, and the frozen
    // span is skipped (not integrated) afterwards.
    void set_frozen(bool frozen, SteadyTime now);
    bool frozen() const { return frozen_; }

    // Model time reached by the last advance_to, µs since start (frozen spans excluded).
    std::int64_t model_time_us() const { return time_us_; }
    const Instant& instant() const { return instant_; }

    // Counter k as the meter displays it: floor(energy) modulo 10^9.
    std::uint32_t counter(std::uint16_t k) const;
    // Total energy of counter k up to the current model time, unwrapped, in Wh / varh /
    // VAh.
    double counter_energy(std::uint16_t k) const;
    // Sets counter k (an FC16 preset). Precondition: value < counter_rollover.
    void preset_counter(std::uint16_t k, std::uint32_t value);

    // Table reads at the current model state. Preconditions (the request handler
    // checks them): address + count within the table.
    void read_holding_registers(std::uint16_t address, std::uint16_t count, std::vector<std::uint16_t>& out) const;
    void read_input_registers(std::uint16_t address, std::uint16_t count, std::vector<std::uint16_t>& out) const;
    void read_discrete_inputs(std::uint16_t address, std::uint16_t count, std::vector<bool>& out) const;
    void read_coils(std::uint16_t address, std::uint16_t count, std::vector<bool>& out) const;
    void write_coil(std::uint16_t address, bool on) { coils_[address] = on; }

private:
    std::int64_t model_time_at(SteadyTime now) const;
    void load_tick(std::int64_t second);
    double rate(std::uint16_t k) const;  // counter k's growth during the current tick, per hour

    MapLayout layout_;
    LoadModel load_;
    SteadyTime start_;
    Duration paused_{0};         // total frozen time so far
    bool frozen_ = false;
    SteadyTime frozen_since_{};

    std::int64_t time_us_ = 0;   // model time reached so far
    std::int64_t tick_ = -1;     // second whose values are in instant_ / analogs_
    Instant instant_{};

    // Counter k holds energy_[k] at model time counted_to_[k] (the start of the current
    // tick, or the moment of a preset within it); the rest of the tick is added on
    // read. Stored energy only grows by whole ticks, so tiny increments from frequent
    // requests are never lost to double rounding near 10^9.
    std::vector<double> energy_;
    std::vector<std::int64_t> counted_to_;
    std::vector<std::uint16_t> analogs_;  // FC04 table, refreshed once per tick
    std::vector<bool> discretes_;         // FC02 table, refreshed once per tick
    std::vector<bool> coils_;             // FC01 table, written by FC05/FC15
};

}  // namespace gridgate::sim
