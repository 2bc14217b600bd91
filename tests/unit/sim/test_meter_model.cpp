#include <catch2/catch.hpp>

#include <cmath>

#include "gridgate/sim/analog_scaling.hpp"
#include "gridgate/sim/meter_model.hpp"
#include "sim_test_helpers.hpp"

using namespace gridgate::sim;
using sim_test::at_seconds;
using sim_test::t0;

namespace {

const auto wh_del = static_cast<std::uint16_t>(Counter::wh_del);
const auto wh_rec = static_cast<std::uint16_t>(Counter::wh_rec);
const auto varh_del = static_cast<std::uint16_t>(Counter::varh_del);
const auto vah_del = static_cast<std::uint16_t>(Counter::vah_del);

std::uint32_t read_counter_over_modbus(const MeterModel& model, std::uint16_t k) {
    std::vector<std::uint16_t> regs;
    model.read_holding_registers(static_cast<std::uint16_t>(2 * k), 2, regs);
    REQUIRE(regs.size() == 2);
    return (std::uint32_t{regs[0]} << 16) | regs[1];
}

}  // namespace

TEST_CASE("counters are 32-bit high word first at addresses 2k and 2k+1", "[sim][model]") {
    MeterModel model(MapLayout{}, 42, t0);
    model.preset_counter(wh_del, 0x0123'4567);
    model.preset_counter(7, 0x0001'0002);
    std::vector<std::uint16_t> regs;
    model.read_holding_registers(0, 2, regs);
    CHECK(regs == std::vector<std::uint16_t>{0x0123, 0x4567});
    model.read_holding_registers(14, 4, regs);
    CHECK(regs == std::vector<std::uint16_t>{0x0001, 0x0002, 0x0000, 0x0000});
    CHECK(counter_address(Counter::vah_del) == 8);
}

TEST_CASE("seeded meters start at different plausible readings reproducibly", "[sim][model]") {
    MeterModel a(MapLayout{}, 1, t0), b(MapLayout{}, 2, t0), a_again(MapLayout{}, 1, t0);
    CHECK(a.counter(wh_del) != b.counter(wh_del));
    CHECK(a.counter(wh_del) == a_again.counter(wh_del));
    for (const MeterModel* m : {&a, &b}) {
        CHECK(m->counter(wh_del) > 1'000'000u);
        CHECK(m->counter(vah_del) > m->counter(wh_del));
        CHECK(m->counter(10) == 0u);  // unassigned
    }
}

TEST_CASE("energy counters integrate the published load over time", "[sim][model]") {
    MeterModel model(MapLayout{}, 7, t0);
    const double wh0 = model.counter_energy(wh_del);
    const double varh0 = model.counter_energy(varh_del);
    const double vah0 = model.counter_energy(vah_del);
    const double rec0 = model.counter_energy(wh_rec);

    // Two simulated hours in irregular steps, as requests would arrive.
    const int seconds = 7200;
    double t = 0;
    for (int i = 0; t < seconds; ++i) {
        t = std::min<double>(seconds, t + (i % 7 == 0 ? 53.3 : 0.37));
        model.advance_to(at_seconds(t));
    }

    double wh = 0, varh = 0, vah = 0;
    for (int s = 0; s < seconds; ++s) {
        const Instant in = model.load().at(s);
        wh += std::max(in.watts_total, 0.0) / 3600.0;
        varh += std::max(in.vars_total, 0.0) / 3600.0;
        vah += in.va_total / 3600.0;
    }
    CHECK(wh > 1000.0);  // a plausible load: roughly a kW or more
    CHECK(model.counter_energy(wh_del) - wh0 == Approx(wh).margin(1e-3));
    CHECK(model.counter_energy(varh_del) - varh0 == Approx(varh).margin(1e-3));
    CHECK(model.counter_energy(vah_del) - vah0 == Approx(vah).margin(1e-3));
    CHECK(std::abs(static_cast<double>(model.counter(wh_del)) - std::floor(wh0 + wh)) <= 1.0);
    CHECK(model.counter_energy(wh_rec) == rec0);  // no export, nothing received
}

TEST_CASE("the published instantaneous values are consistent with each other", "[sim][model]") {
    const LoadModel load(LoadParams::from_seed(3));
    for (const int s : {0, 1, 599, 3600, 86'399}) {
        const Instant in = load.at(s);
        double w = 0, var = 0, va = 0;
        for (const PhaseValues& ph : in.phase) {
            CHECK(ph.volts == Approx(120.0).margin(5.0));
            CHECK(ph.amps > 0.0);
            CHECK(ph.amps < 10.0);
            CHECK(ph.watts == Approx(ph.volts * ph.amps * ph.pf));
            CHECK(ph.vars == Approx(ph.volts * ph.amps * std::sin(std::acos(ph.pf))));
            w += ph.watts;
            var += ph.vars;
            va += ph.va;
        }
        CHECK(in.watts_total == Approx(w));
        CHECK(in.vars_total == Approx(var));
        CHECK(in.pf_total == Approx(w / va));
        CHECK(in.frequency == Approx(60.0).margin(0.1));
    }
}

TEST_CASE("analog registers are the scaled values of the current tick", "[sim][model]") {
    MeterModel model(MapLayout{}, 11, t0);
    model.advance_to(at_seconds(1234.5));
    const Instant& in = model.instant();
    CHECK(model.instant().watts_total == model.load().at(1234).watts_total);
    std::vector<std::uint16_t> regs;
    model.read_input_registers(0, 20, regs);
    CHECK(regs[0] == analog_register(in.phase[0].volts, volts_range));
    CHECK(regs[5] == analog_register(in.phase[2].amps, amps_range));
    CHECK(regs[9] == analog_register(in.watts_total, total_power_range));
    CHECK(regs[13] == analog_register(in.vars_total, total_power_range));
    CHECK(regs[17] == analog_register(in.pf_total, power_factor_range));
    CHECK(regs[18] == analog_register(in.frequency, frequency_range));
    CHECK(regs[19] == 0);  // unassigned
    // 3 A on the 20 A range is about 4915: secondary values.
    CHECK(regs[3] > 0);
    CHECK(regs[3] < 16384);
}

TEST_CASE("counters never decrease except at the 9-digit rollover", "[sim][model]") {
    MeterModel model(MapLayout{}, 5, t0);
    model.preset_counter(wh_del, 999'999'000);
    std::uint32_t previous = model.counter(wh_del);
    int rollovers = 0;
    for (int i = 1; i <= 20'000; ++i) {  // about 5.5 hours in 1-second steps
        model.advance_to(at_seconds(i));
        const std::uint32_t now = model.counter(wh_del);
        REQUIRE(now < counter_rollover);
        if (now < previous) {
            ++rollovers;
            CHECK(previous >= 999'999'000u);
            CHECK(now < 1000u);
        }
        previous = now;
    }
    CHECK(rollovers == 1);
    CHECK(read_counter_over_modbus(model, wh_del) == model.counter(wh_del));
}

TEST_CASE("an exporting meter counts received energy", "[sim][model]") {
    LoadParams params = LoadParams::from_seed(9);
    params.exporting = true;
    MeterModel model(MapLayout{}, params, t0);
    model.advance_to(at_seconds(3600));
    CHECK(model.instant().watts_total < 0);
    CHECK(model.counter(wh_del) == 0u);
    CHECK(model.counter(wh_rec) > 100u);
    std::vector<std::uint16_t> regs;
    model.read_input_registers(static_cast<std::uint16_t>(Analog::w_total), 1, regs);
    CHECK(static_cast<std::int16_t>(regs[0]) < 0);
}

TEST_CASE("freezing stops model time and the frozen span is skipped", "[sim][model]") {
    MeterModel model(MapLayout{}, 8, t0);
    model.advance_to(at_seconds(100));
    const double frozen_energy = model.counter_energy(wh_del);
    const double frozen_watts = model.instant().watts_total;
    model.set_frozen(true, at_seconds(100));
    model.advance_to(at_seconds(5000));
    CHECK(model.frozen());
    CHECK(model.counter_energy(wh_del) == frozen_energy);
    CHECK(model.instant().watts_total == frozen_watts);
    CHECK(model.model_time_us() == 100'000'000);

    model.set_frozen(false, at_seconds(5000));
    model.advance_to(at_seconds(5010));
    CHECK(model.model_time_us() == 110'000'000);  // 4900 s of freeze not counted
    CHECK(model.counter_energy(wh_del) > frozen_energy);
}

TEST_CASE("time that goes backwards changes nothing", "[sim][model]") {
    MeterModel model(MapLayout{}, 4, t0);
    model.advance_to(at_seconds(50));
    const double e = model.counter_energy(wh_del);
    model.advance_to(at_seconds(10));
    CHECK(model.counter_energy(wh_del) == e);
    CHECK(model.model_time_us() == 50'000'000);
}

TEST_CASE("a preset holds its value at the moment it is made", "[sim][model]") {
    MeterModel model(MapLayout{}, 4, t0);
    model.advance_to(at_seconds(12.75));  // in the middle of a tick
    model.preset_counter(wh_del, 500);
    CHECK(model.counter(wh_del) == 500u);
    model.advance_to(at_seconds(3600));
    CHECK(model.counter(wh_del) > 500u);
}

TEST_CASE("discrete inputs follow the default assignment", "[sim][model]") {
    MeterModel model(MapLayout{}, 4, t0);
    std::vector<bool> bits;
    model.read_discrete_inputs(0, 6, bits);
    CHECK(bits == std::vector<bool>{true, false, true, true, true, false});  // interval sync pulse at t=0
    model.advance_to(at_seconds(60));
    model.read_discrete_inputs(0, 1, bits);
    CHECK(bits == std::vector<bool>{false});
    model.read_coils(0, 14, bits);
    CHECK(bits == std::vector<bool>(14, false));
}
