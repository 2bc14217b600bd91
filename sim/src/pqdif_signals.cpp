#include "pqdif_signals.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "gridgate/sim/load_model.hpp"

namespace gridgate::sim {

namespace {

using files::PqdifMeasured;
using files::PqdifPhase;
using files::PqdifSeriesSpec;

constexpr double two_pi = 2.0 * std::numbers::pi;
constexpr double phase_shift = two_pi / 3.0;  // B lags A, C lags B by 120 degrees
constexpr PqdifPhase line_to_neutral[3] = {PqdifPhase::a_n, PqdifPhase::b_n, PqdifPhase::c_n};
constexpr PqdifPhase line[3] = {PqdifPhase::a, PqdifPhase::b, PqdifPhase::c};
constexpr char phase_letter[3] = {'A', 'B', 'C'};

PqdifSeriesSpec series(std::string name, PqdifPhase phase, PqdifMeasured measured, std::size_t reserve) {
    PqdifSeriesSpec s;
    s.channel_name = std::move(name);
    s.phase = phase;
    s.measured = measured;
    s.values.reserve(reserve);
    return s;
}

std::string named(const char* what, unsigned phase) { return std::string(what) + phase_letter[phase]; }

// The current rises a little while the voltage sags (constant-power loads) and falls
// with it during an interruption.
double current_pu(double voltage_pu) {
    if (voltage_pu < 0.1) return voltage_pu;
    return std::clamp(1.0 + 0.5 * (1.0 - voltage_pu), 0.8, 1.3);
}

// Measurement noise: a fraction of a percent, so two recordings never look identical.
double jitter(SeededSequence& random, double fraction) { return 1.0 + random.uniform(-fraction, fraction); }

}  // namespace

std::uint64_t SeededSequence::next() {
    state_ += 0x9E3779B97F4A7C15ull;
    return mix_seed(state_);
}

double SeededSequence::uniform(double low, double high) {
    const double unit = static_cast<double>(next() >> 11) * 0x1.0p-53;  // 53 random bits in [0, 1)
    return low + (high - low) * unit;
}

double PqdifDisturbance::voltage_pu(unsigned phase, std::size_t cycle) const {
    const bool affected = (phases >> phase & 1u) != 0 && cycle >= start_cycle && cycle < end_cycle;
    return affected ? residual_pu : 1.0;
}

double PqdifDisturbance::duration_s(double frequency_hz) const {
    return static_cast<double>(end_cycle - start_cycle) / frequency_hz;
}

PqdifDisturbance pick_disturbance(std::uint32_t type_bits, std::size_t cycles, SeededSequence& random) {
    PqdifDisturbance d;
    cycles = std::max<std::size_t>(cycles, 1);
    d.start_cycle = cycles / 4;
    d.end_cycle = std::min(cycles, d.start_cycle + std::max<std::size_t>(cycles / 2, 1));
    d.pf_angle_rad = random.uniform(0.15, 0.45);
    if ((type_bits & pqdif_interruption) != 0) {
        d.residual_pu = random.uniform(0.0, 0.08);  // under 10 %: an interruption
        d.phases = 0b111;
    } else if ((type_bits & pqdif_rvc) != 0 && (type_bits & pqdif_sag_swell) == 0) {
        d.residual_pu = random.uniform(0.93, 0.96);  // a step inside the 90-110 % band
        d.phases = 0b111;
    } else {
        const bool swell = (type_bits & pqdif_sag_swell) != 0 && random.uniform(0.0, 1.0) < 0.25;
        d.residual_pu = swell ? random.uniform(1.12, 1.2) : random.uniform(0.5, 0.85);
        d.phases = random.uniform(0.0, 1.0) < 0.5 ? 0b001u : 0b111u;  // single-phase fault or all three
    }
    return d;
}

PqdifChannels waveform_channels(const PqdifRecordingOptions& o, const PqdifDisturbance& d, SeededSequence& random) {
    const std::size_t spc = std::max<std::size_t>(o.samples_per_cycle, 1);
    const std::size_t samples = std::max<std::size_t>(o.cycles, 1) * spc;
    PqdifChannels out;
    for (unsigned p = 0; p < 3; ++p) out.push_back(series(named("V", p), line_to_neutral[p], PqdifMeasured::voltage, samples));
    for (unsigned p = 0; p < 3; ++p) out.push_back(series(named("I", p), line[p], PqdifMeasured::current, samples));
    const double v_peak = std::sqrt(2.0) * o.nominal_volts;
    const double i_peak = std::sqrt(2.0) * o.nominal_amps;
    for (std::size_t n = 0; n < samples; ++n) {
        const double theta = two_pi * static_cast<double>(n % spc) / static_cast<double>(spc);
        for (unsigned p = 0; p < 3; ++p) {
            const double v = d.voltage_pu(p, n / spc);
            const double angle = theta - p * phase_shift;
            out[p].values.push_back(v_peak * v * std::sin(angle) * jitter(random, 0.002));
            out[3 + p].values.push_back(i_peak * current_pu(v) * std::sin(angle - d.pf_angle_rad) *
                                        jitter(random, 0.005));
        }
    }
    return out;
}

PqdifChannels hsrms_channels(const PqdifRecordingOptions& o, const PqdifDisturbance& d, SeededSequence& random) {
    const std::size_t halves = 2 * std::max<std::size_t>(o.cycles, 1);
    PqdifChannels out;
    for (unsigned p = 0; p < 3; ++p) out.push_back(series(named("V", p), line_to_neutral[p], PqdifMeasured::voltage, halves));
    for (unsigned p = 0; p < 3; ++p) out.push_back(series(named("I", p), line[p], PqdifMeasured::current, halves));
    for (unsigned p = 0; p < 3; ++p)
        out.push_back(series(named("Angle", p), line_to_neutral[p], PqdifMeasured::phase_angle, halves));
    for (std::size_t h = 0; h < halves; ++h) {
        for (unsigned p = 0; p < 3; ++p) {
            const double v = d.voltage_pu(p, h / 2);
            out[p].values.push_back(o.nominal_volts * v * jitter(random, 0.002));
            out[3 + p].values.push_back(o.nominal_amps * current_pu(v) * jitter(random, 0.005));
            // A sag shifts the phase a few degrees (the fault's impedance angle).
            const double jump = v < 0.9 ? -6.0 * (1.0 - v) : 0.0;
            double angle = -120.0 * p + jump;
            if (angle <= -180.0) angle += 360.0;
            out[6 + p].values.push_back(angle);
        }
    }
    return out;
}

PqdifChannels mag_dur_time_channels(const PqdifRecordingOptions& o, const PqdifDisturbance& d) {
    PqdifChannels out;
    const double offset_s = static_cast<double>(d.start_cycle) / o.frequency_hz;
    for (unsigned p = 0; p < 3; ++p) {
        PqdifSeriesSpec s = series(named("V", p), line_to_neutral[p], PqdifMeasured::voltage, 3);
        const bool affected = (d.phases >> p & 1u) != 0;
        s.values = {o.nominal_volts * (affected ? d.residual_pu : 1.0), affected ? d.duration_s(o.frequency_hz) : 0.0,
                    offset_s};
        out.push_back(std::move(s));
    }
    return out;
}

PqdifChannels xy_channels(const PqdifRecordingOptions& o, const PqdifDisturbance& d, SeededSequence& random) {
    PqdifChannels out;
    const auto min_max_avg = [&](PqdifSeriesSpec s, double normal, double during, double share) {
        const double low = std::min(normal, during);
        const double high = std::max(normal, during);
        s.values = {low, high, during * share + normal * (1.0 - share)};
        out.push_back(std::move(s));
    };
    const double share = static_cast<double>(d.end_cycle - d.start_cycle) / static_cast<double>(std::max<std::size_t>(o.cycles, 1));
    for (unsigned p = 0; p < 3; ++p) {
        const bool affected = (d.phases >> p & 1u) != 0;
        const double v = affected ? d.residual_pu : 1.0;
        min_max_avg(series(named("V", p), line_to_neutral[p], PqdifMeasured::voltage, 3), o.nominal_volts,
                    o.nominal_volts * v, share);
        min_max_avg(series(named("I", p), line[p], PqdifMeasured::current, 3), o.nominal_amps,
                    o.nominal_amps * current_pu(v), share);
        const double vthd = random.uniform(1.5, 3.0);
        min_max_avg(series(named("VTHD", p), line_to_neutral[p], PqdifMeasured::thd, 3), vthd,
                    vthd * (affected ? 1.6 : 1.0), share);
        const double athd = random.uniform(4.0, 9.0);
        min_max_avg(series(named("ATHD", p), line[p], PqdifMeasured::thd, 3), athd, athd * (affected ? 1.3 : 1.0),
                    share);
        const double pf = std::cos(d.pf_angle_rad);
        min_max_avg(series(named("PF", p), line[p], PqdifMeasured::power_factor, 3), pf, pf * (affected ? 0.95 : 1.0),
                    share);
    }
    const double f = o.frequency_hz;
    const double swing = random.uniform(0.005, 0.03);
    PqdifSeriesSpec freq = series("FreqA", PqdifPhase::a_n, PqdifMeasured::frequency, 3);
    freq.values = {f - swing, f + swing, f + random.uniform(-0.002, 0.002)};
    out.push_back(std::move(freq));
    return out;
}

PqdifChannels value_log_channels(const PqdifRecordingOptions& o, std::size_t entries, SeededSequence& random) {
    PqdifChannels out;
    for (unsigned p = 0; p < 3; ++p) out.push_back(series(named("V", p), line_to_neutral[p], PqdifMeasured::voltage, entries));
    for (unsigned p = 0; p < 3; ++p) out.push_back(series(named("I", p), line[p], PqdifMeasured::current, entries));
    out.push_back(series("FreqA", PqdifPhase::a_n, PqdifMeasured::frequency, entries));
    out.push_back(series("VTHDA", PqdifPhase::a_n, PqdifMeasured::thd, entries));
    // A slow load swing over the log period, the same on all phases, plus noise.
    const double swing_phase = random.uniform(0.0, two_pi);
    for (std::size_t e = 0; e < entries; ++e) {
        const double load = 0.7 + 0.2 * std::sin(swing_phase + two_pi * static_cast<double>(e) / 144.0);
        for (unsigned p = 0; p < 3; ++p) {
            out[p].values.push_back(o.nominal_volts * (1.0 - 0.02 * load) * jitter(random, 0.003));
            out[3 + p].values.push_back(o.nominal_amps * load * jitter(random, 0.02));
        }
        out[6].values.push_back(o.frequency_hz + random.uniform(-0.02, 0.02));
        out[7].values.push_back(2.0 + load * random.uniform(0.5, 1.5));
    }
    return out;
}

}  // namespace gridgate::sim
