#include "gridgate/sim/pqdif_recording.hpp"

#include <algorithm>

#include "gridgate/files/pqdif_name.hpp"
#include "gridgate/sim/load_model.hpp"
#include "pqdif_signals.hpp"

namespace gridgate::sim {

namespace {

using files::PqdifObservationSpec;
using files::PqdifQuantity;

// A measurement-log observation: the meter's shortest period (10 minutes) at one entry
// per 10 seconds.
constexpr std::size_t value_log_entries = 60;
constexpr double value_log_interval_s = 10.0;

bool has(std::uint32_t bits, std::uint32_t bit) { return (bits & bit) != 0; }

bool wants_mag_dur_time(std::uint32_t bits) {
    return has(bits, pqdif_daily) || has(bits, pqdif_sag_swell) || has(bits, pqdif_rvc) ||
           has(bits, pqdif_interruption);
}

TimestampUs seconds_to_us(double s) { return static_cast<TimestampUs>(s * 1e6 + (s < 0 ? -0.5 : 0.5)); }

PqdifObservationSpec observation(const std::string& what, PqdifQuantity quantity, TimestampUs start_us,
                                 TimestampUs trigger_us, double sample_interval_s, PqdifChannels channels) {
    PqdifObservationSpec o;
    o.name = what + " " + format_iso8601_utc(trigger_us);
    o.start_us = start_us;
    o.trigger_us = trigger_us;
    o.quantity = quantity;
    o.sample_interval_s = sample_interval_s;
    o.channels = std::move(channels);
    return o;
}

std::uint64_t content_seed(const PqdifRecordingOptions& o, const PqdifRecordingType& type, TimestampUs event_us) {
    return mix_seed(o.seed * 1'000'003 ^ mix_seed(static_cast<std::uint64_t>(event_us)) ^
                    (std::uint64_t{type.bits} << 40) ^ (std::uint64_t{type.log_number} << 56));
}

}  // namespace

std::vector<std::string> pqdif_quantities(std::uint32_t bits) {
    std::vector<std::string> out;
    const bool daily = has(bits, pqdif_daily);
    if (wants_mag_dur_time(bits)) out.emplace_back("mag_dur_time");
    if (daily || has(bits, pqdif_sag_swell)) out.emplace_back("xy");
    if (daily || has(bits, pqdif_waveform)) out.emplace_back("waveform");
    if (daily || has(bits, pqdif_hsrms)) out.emplace_back("phasor");
    if (daily || has(bits, pqdif_measurement_log)) out.emplace_back("value_log");
    return out;
}

PqdifRecording plan_pqdif_recording(const PqdifRecordingOptions& o, const PqdifRecordingType& type,
                                    TimestampUs event_us) {
    PqdifRecording out;
    files::PqdifName name;
    name.serial = o.serial;
    name.unix_seconds = event_us / 1'000'000;
    name.microseconds = static_cast<std::uint32_t>(event_us % 1'000'000);
    name.type_bits = type.bits;
    name.log_number = type.bits == pqdif_measurement_log ? std::max(type.log_number, 1u) : 0;
    out.name = files::format_pqdif_name(name);

    files::PqdifFileSpec& spec = out.spec;
    spec.title = out.name;
    spec.serial = o.serial;
    spec.created_us = event_us;
    spec.compress = o.compress;

    SeededSequence random(content_seed(o, type, event_us));
    const std::uint32_t bits = type.bits;
    const bool daily = has(bits, pqdif_daily);
    const PqdifDisturbance d = pick_disturbance(bits, o.cycles, random);
    const double f = o.frequency_hz;
    // The recording starts its pre-fault cycles before the trigger (the name's time).
    const TimestampUs start_us = event_us - seconds_to_us(static_cast<double>(d.start_cycle) / f);
    const char* event_name = has(bits, pqdif_interruption) ? "Interruption"
                             : has(bits, pqdif_sag_swell)  ? (d.residual_pu > 1.0 ? "Swell" : "Sag")
                             : has(bits, pqdif_rvc)        ? "RVC"
                                                           : "Sag";
    if (wants_mag_dur_time(bits))
        spec.observations.push_back(observation(event_name, PqdifQuantity::mag_dur_time, start_us, event_us, 1.0 / f,
                                                mag_dur_time_channels(o, d)));
    if (daily || has(bits, pqdif_sag_swell))
        spec.observations.push_back(observation(event_name, PqdifQuantity::xy, start_us, event_us, 1.0 / f,
                                                xy_channels(o, d, random)));
    if (daily || has(bits, pqdif_waveform)) {
        const double step = 1.0 / (f * static_cast<double>(std::max<std::size_t>(o.samples_per_cycle, 1)));
        spec.observations.push_back(observation("Waveform", PqdifQuantity::waveform, start_us, event_us, step,
                                                waveform_channels(o, d, random)));
    }
    if (daily || has(bits, pqdif_hsrms))
        spec.observations.push_back(observation("HSRMS", PqdifQuantity::phasor, start_us, event_us, 0.5 / f,
                                                hsrms_channels(o, d, random)));
    if (daily || has(bits, pqdif_measurement_log)) {
        // The log period that ends when the file is made.
        const TimestampUs log_start =
            event_us - seconds_to_us(value_log_interval_s * static_cast<double>(value_log_entries));
        const std::string what = "Measurement log " + std::to_string(std::max(type.log_number, 1u));
        spec.observations.push_back(observation(what, PqdifQuantity::value_log, log_start, log_start,
                                                value_log_interval_s,
                                                value_log_channels(o, value_log_entries, random)));
    }
    return out;
}

std::vector<std::byte> render_pqdif_recording(const PqdifRecording& recording) {
    return files::write_pqdif(recording.spec);
}

}  // namespace gridgate::sim
