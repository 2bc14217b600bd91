#include "gridgate/sim/dnp3_points.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "gridgate/sim/analog_scaling.hpp"
#include "gridgate/sim/register_map.hpp"

namespace gridgate::sim {

namespace {

enum class Quantity : std::uint8_t { watts, vars, va, volts, amps, pf, frequency };
enum class Phase : std::uint8_t { a, b, c, total };

struct AnalogPoint {
    std::string_view name;
    Quantity quantity;
    Phase phase;
};

constexpr std::array<AnalogPoint, 23> analog_points = {{
    {"watts_a", Quantity::watts, Phase::a},
    {"watts_b", Quantity::watts, Phase::b},
    {"watts_c", Quantity::watts, Phase::c},
    {"watts_total", Quantity::watts, Phase::total},
    {"vars_a", Quantity::vars, Phase::a},
    {"vars_b", Quantity::vars, Phase::b},
    {"vars_c", Quantity::vars, Phase::c},
    {"vars_total", Quantity::vars, Phase::total},
    {"va_a", Quantity::va, Phase::a},
    {"va_b", Quantity::va, Phase::b},
    {"va_c", Quantity::va, Phase::c},
    {"va_total", Quantity::va, Phase::total},
    {"volts_a", Quantity::volts, Phase::a},
    {"volts_b", Quantity::volts, Phase::b},
    {"volts_c", Quantity::volts, Phase::c},
    {"amps_a", Quantity::amps, Phase::a},
    {"amps_b", Quantity::amps, Phase::b},
    {"amps_c", Quantity::amps, Phase::c},
    {"frequency", Quantity::frequency, Phase::a},
    {"pf_a", Quantity::pf, Phase::a},
    {"pf_b", Quantity::pf, Phase::b},
    {"pf_c", Quantity::pf, Phase::c},
    {"pf_total", Quantity::pf, Phase::total},
}};

double phase_value(const PhaseValues& p, Quantity q) {
    switch (q) {
        case Quantity::watts: return p.watts;
        case Quantity::vars: return p.vars;
        case Quantity::va: return p.va;
        case Quantity::volts: return p.volts;
        case Quantity::amps: return p.amps;
        case Quantity::pf: return p.pf;
        case Quantity::frequency: return 0.0;
    }
    return 0.0;
}

double total_value(const Instant& in, Quantity q) {
    switch (q) {
        case Quantity::watts: return in.watts_total;
        case Quantity::vars: return in.vars_total;
        case Quantity::va: return in.va_total;
        case Quantity::pf: return in.pf_total;
        case Quantity::frequency: return in.frequency;
        case Quantity::volts:
        case Quantity::amps: return 0.0;  // no polyphase point of these
    }
    return 0.0;
}

}  // namespace

double dnp3_analog_measurement(const Instant& instant, std::size_t point) {
    if (point >= analog_points.size()) return 0.0;
    const AnalogPoint& p = analog_points[point];
    if (p.quantity == Quantity::frequency) return instant.frequency;
    if (p.phase == Phase::total) return total_value(instant, p.quantity);
    return phase_value(instant.phase[static_cast<std::size_t>(p.phase)], p.quantity);
}

double dnp3_analog_range(std::size_t point) {
    if (point >= analog_points.size()) return 0.0;
    const AnalogPoint& p = analog_points[point];
    switch (p.quantity) {
        case Quantity::watts:
        case Quantity::vars:
        case Quantity::va: return p.phase == Phase::total ? total_power_range : phase_power_range;
        case Quantity::volts: return volts_range;
        case Quantity::amps: return amps_range;
        case Quantity::pf: return power_factor_range;
        case Quantity::frequency: return frequency_range;
    }
    return 0.0;
}

std::string_view dnp3_analog_name(std::size_t point) {
    return point < analog_points.size() ? analog_points[point].name : std::string_view("unused");
}

std::int32_t dnp3_analog_32(const Instant& instant, std::size_t point) {
    const double raw = std::round(dnp3_analog_measurement(instant, point) * 1000.0);
    if (!std::isfinite(raw)) return 0;
    constexpr double lo = std::numeric_limits<std::int32_t>::min();
    constexpr double hi = std::numeric_limits<std::int32_t>::max();
    return static_cast<std::int32_t>(std::clamp(raw, lo, hi));
}

std::int16_t dnp3_analog_16(const Instant& instant, std::size_t point) {
    const double range = dnp3_analog_range(point);
    if (range <= 0.0) return 0;
    return scale_analog(dnp3_analog_measurement(instant, point), range);
}

std::uint32_t dnp3_counter(const MeterModel& model, std::size_t point) {
    if (point >= model.layout().counter_pairs) return 0;
    return model.counter(static_cast<std::uint16_t>(point));
}

bool dnp3_binary_input(const MeterModel& model, std::size_t point) {
    if (point >= model.layout().discrete_count) return false;
    std::vector<bool> bits;
    model.read_discrete_inputs(static_cast<std::uint16_t>(point), 1, bits);
    return bits.front();
}

bool dnp3_binary_output(const MeterModel& model, std::size_t point) {
    constexpr std::size_t first_channel = 2;  // Ch3 is the meter's third digital I/O
    const std::size_t coil = point + first_channel;
    if (coil >= model.layout().coil_count) return false;
    std::vector<bool> bits;
    model.read_coils(static_cast<std::uint16_t>(coil), 1, bits);
    return bits.front();
}

}  // namespace gridgate::sim
