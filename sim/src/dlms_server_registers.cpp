#include "dlms_server_registers.hpp"

#include <cmath>
#include <numbers>

namespace gridgate::sim::dlms_server {

namespace {

constexpr double degrees_per_radian = 180.0 / std::numbers::pi;

dlms::Obis lr(std::uint8_t c, std::uint8_t d, std::uint8_t e = 0) { return dlms::Obis{{1, 0, c, d, e, 255}}; }

// Phase angle of the fundamental in 0..360: voltages at 0, 240, 120 degrees (A, B, C
// leading), currents lagging their voltage by acos(|PF|) (leading when exporting).
double volts_angle(std::uint8_t phase) { return std::fmod(360.0 - 120.0 * phase, 360.0); }
double amps_angle(std::uint8_t phase, const PhaseValues& p) {
    const double lag = std::acos(std::fabs(p.pf)) * degrees_per_radian;
    const double angle = volts_angle(phase) - (p.pf >= 0 ? lag : 180.0 - lag);
    return std::fmod(angle + 720.0, 360.0);
}

double positive(double v) { return v > 0 ? v : 0.0; }

}  // namespace

const std::vector<RegisterDef>& register_table() {
    using Q = Quantity;
    static const std::vector<RegisterDef> table = [] {
        std::vector<RegisterDef> t;
        // The four polyphase/phase groups share a pattern: C = 1..4 poly, +20/+40/+60 phases.
        auto group = [&t](std::uint8_t poly_c, std::uint8_t d, Q q, std::uint8_t u) {
            t.push_back({lr(static_cast<std::uint8_t>(poly_c + 20), d), q, 0, u});
            t.push_back({lr(static_cast<std::uint8_t>(poly_c + 40), d), q, 1, u});
            t.push_back({lr(static_cast<std::uint8_t>(poly_c + 60), d), q, 2, u});
            t.push_back({lr(poly_c, d), q, 3, u});
        };
        group(1, 7, Q::watts_del, unit::watt);
        group(2, 7, Q::watts_rec, unit::watt);
        group(3, 7, Q::vars_del, unit::var);
        group(4, 7, Q::vars_rec, unit::var);
        group(9, 7, Q::va_del, unit::volt_ampere);
        group(10, 7, Q::va_rec, unit::volt_ampere);
        t.push_back({lr(32, 7), Q::volts, 0, unit::volt});
        t.push_back({lr(52, 7), Q::volts, 1, unit::volt});
        t.push_back({lr(72, 7), Q::volts, 2, unit::volt});
        t.push_back({lr(12, 4), Q::volts_avg, 3, unit::volt});
        t.push_back({lr(31, 7), Q::amps, 0, unit::ampere});
        t.push_back({lr(51, 7), Q::amps, 1, unit::ampere});
        t.push_back({lr(71, 7), Q::amps, 2, unit::ampere});
        t.push_back({lr(90, 7), Q::amps_sum, 3, unit::ampere});
        t.push_back({lr(91, 7), Q::amps_neutral, 3, unit::ampere});
        t.push_back({lr(90, 4), Q::amps_avg, 3, unit::ampere});
        t.push_back({lr(33, 7), Q::pf, 0, unit::none});
        t.push_back({lr(53, 7), Q::pf, 1, unit::none});
        t.push_back({lr(73, 7), Q::pf, 2, unit::none});
        t.push_back({lr(13, 7), Q::pf, 3, unit::none});
        t.push_back({lr(34, 7), Q::frequency, 3, unit::hertz});
        for (std::uint8_t p = 0; p < 3; ++p) t.push_back({lr(81, 7, p), Q::volts_angle, p, unit::degree});
        for (std::uint8_t p = 0; p < 3; ++p)
            t.push_back({lr(81, 7, static_cast<std::uint8_t>(p + 4)), Q::amps_angle, p, unit::degree});
        group(1, 8, Q::wh_del, unit::watt_hour);
        group(2, 8, Q::wh_rec, unit::watt_hour);
        return t;
    }();
    return table;
}

double register_value(const RegisterDef& def, const Instant& load, const EnergySums& energy) {
    const std::size_t p = def.phase;
    auto of = [&](double PhaseValues::*member, double total) { return p < 3 ? load.phase[p].*member : total; };
    const double watts = of(&PhaseValues::watts, load.watts_total);
    const double vars = of(&PhaseValues::vars, load.vars_total);
    const double va = of(&PhaseValues::va, load.va_total);
    switch (def.quantity) {
        case Quantity::watts_del: return positive(watts);
        case Quantity::watts_rec: return positive(-watts);
        case Quantity::vars_del: return positive(vars);
        case Quantity::vars_rec: return positive(-vars);
        case Quantity::va_del: return watts >= 0 ? va : 0.0;
        case Quantity::va_rec: return watts < 0 ? va : 0.0;
        case Quantity::volts: return load.phase[p].volts;
        case Quantity::volts_avg:
            return (load.phase[0].volts + load.phase[1].volts + load.phase[2].volts) / 3.0;
        case Quantity::amps: return load.phase[p].amps;
        case Quantity::amps_sum: return load.phase[0].amps + load.phase[1].amps + load.phase[2].amps;
        case Quantity::amps_avg: return (load.phase[0].amps + load.phase[1].amps + load.phase[2].amps) / 3.0;
        case Quantity::amps_neutral: {
            // The phasor sum of the three currents.
            double re = 0, im = 0;
            for (std::uint8_t i = 0; i < 3; ++i) {
                const double a = amps_angle(i, load.phase[i]) / degrees_per_radian;
                re += load.phase[i].amps * std::cos(a);
                im += load.phase[i].amps * std::sin(a);
            }
            return std::hypot(re, im);
        }
        case Quantity::pf: return std::fabs(p < 3 ? load.phase[p].pf : load.pf_total);
        case Quantity::frequency: return load.frequency;
        case Quantity::volts_angle: return volts_angle(def.phase);
        case Quantity::amps_angle: return amps_angle(def.phase, load.phase[p]);
        case Quantity::wh_del: return energy.wh_del[p];
        case Quantity::wh_rec: return energy.wh_rec[p];
    }
    return 0.0;
}

std::uint32_t scaled_x1000(double value) {
    if (!(value > 0)) return 0;
    const double scaled = std::round(value * 1000.0);
    return static_cast<std::uint32_t>(static_cast<std::uint64_t>(std::fmod(scaled, 4294967296.0)));
}

}  // namespace gridgate::sim::dlms_server
