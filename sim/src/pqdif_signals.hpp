#pragma once
// The values inside metersim's PQDIF recordings (private to pqdif_recording.cpp):
// three-phase sine waves at the nominal voltage and current with one disturbance (a sag,
// swell, rapid voltage change or interruption) in the middle of the recording, and the
// RMS, event summary and measurement-log views of the same signal.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "gridgate/files/pqdif.hpp"
#include "gridgate/sim/pqdif_recording.hpp"

namespace gridgate::sim {

// Reproducible numbers from a seed (splitmix64 steps), no global state.
class SeededSequence {
public:
    explicit SeededSequence(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next();
    double uniform(double low, double high);  // [low, high)

private:
    std::uint64_t state_;
};

// The event a recording captured, in cycles of the recording.
struct PqdifDisturbance {
    double residual_pu = 1.0;    // rms voltage of the affected phases during the event, per unit
    unsigned phases = 0b111;     // affected phases: bit 0 = A, 1 = B, 2 = C
    std::size_t start_cycle = 0;
    std::size_t end_cycle = 1;   // exclusive
    double pf_angle_rad = 0.3;   // current lags voltage by this much

    double voltage_pu(unsigned phase, std::size_t cycle) const;
    double duration_s(double frequency_hz) const;
};

// Interruption if bit 32, else sag/swell if bit 1, else RVC if bit 16; a sag otherwise
// (a waveform or HSRMS capture is triggered by one). Spans the middle half of `cycles`.
PqdifDisturbance pick_disturbance(std::uint32_t type_bits, std::size_t cycles, SeededSequence& random);

using PqdifChannels = std::vector<files::PqdifSeriesSpec>;

// Va, Vb, Vc, Ia, Ib, Ic instantaneous values, cycles x samples_per_cycle each.
PqdifChannels waveform_channels(const PqdifRecordingOptions& o, const PqdifDisturbance& d, SeededSequence& random);
// Va, Vb, Vc, Ia, Ib, Ic rms and the phase angles of A, B, C (degrees), two per cycle.
PqdifChannels hsrms_channels(const PqdifRecordingOptions& o, const PqdifDisturbance& d, SeededSequence& random);
// Va, Vb, Vc: {rms during the event (V), duration (s), start after the recording's start (s)}.
PqdifChannels mag_dur_time_channels(const PqdifRecordingOptions& o, const PqdifDisturbance& d);
// Volts, amps, VTHD, ATHD, PF per phase and the frequency of A: {min, max, avg} each.
PqdifChannels xy_channels(const PqdifRecordingOptions& o, const PqdifDisturbance& d, SeededSequence& random);
// Va, Vb, Vc, Ia, Ib, Ic rms, frequency and VTHD A: `entries` values each.
PqdifChannels value_log_channels(const PqdifRecordingOptions& o, std::size_t entries, SeededSequence& random);

}  // namespace gridgate::sim
