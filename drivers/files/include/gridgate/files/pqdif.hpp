#pragma once
// PQDIF (IEEE 1159.3) files, as far as a gateway needs them: check that a file is well
// formed and summarise it for the `files` notice (observations, their start times, the
// quantity types), and write structurally valid files (metersim's PQ recordings).
// Pure: bytes in, values out; no I/O, no clock. zlib only to inflate/deflate record
// bodies of compressed files.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "gridgate/core/time.hpp"

namespace gridgate::files {

// What check_pqdif() found. A malformed file is still a file: the gateway keeps and
// forwards it with well_formed = false and the first problem in `error`.
struct PqdifSummary {
    bool well_formed = false;
    std::string error;                 // first problem found; empty when well formed
    std::size_t records = 0;           // records walked (container, data source, ...)
    std::size_t observations = 0;      // observation records
    bool compressed = false;           // the container declares zlib compression
    std::vector<TimestampUs> observation_starts;  // each observation's start time (UTC), file order; at most 1000 kept
    TimestampUs first_start_us = 0;    // earliest and latest observation start (0 when none)
    TimestampUs last_start_us = 0;
    // Quantity types seen in the data source's channel definitions, deduplicated, in
    // first-seen order, by their names in the standard: "waveform", "value_log",
    // "phasor", "response", "flash", "histogram", "histogram3d", "cpf", "xy", "mag_dur",
    // "xyz", "mag_dur_time", "mag_dur_count"; "unknown" for a tag not in the standard.
    std::vector<std::string> quantity_types;

    // {"well_formed":..,"error":..,"records":..,"observations":..,"compressed":..,
    //  "first_start":"<ISO-8601>","last_start":"<ISO-8601>","quantity_types":[..]}
    // (first_start/last_start omitted when there is no observation; error omitted when empty).
    std::string to_json() const;
};

struct PqdifLimits {
    std::size_t max_records = 100'000;
    std::size_t max_depth = 32;                   // collection nesting
    std::size_t max_inflated_bytes = 64u << 20;   // per compressed record body
};

// Never throws for bad input; the summary says what is wrong.
PqdifSummary check_pqdif(std::span<const std::byte> file, const PqdifLimits& limits = {});

// ---- writing (metersim, tests, benchmarks) ----

enum class PqdifQuantity { waveform, value_log, phasor, mag_dur_time, xy };
enum class PqdifPhase { a_n, b_n, c_n, a, b, c, total, none };
enum class PqdifMeasured { voltage, current, frequency, phase_angle, thd, power_factor };

struct PqdifSeriesSpec {
    std::string channel_name;         // e.g. "Va"
    PqdifPhase phase = PqdifPhase::a_n;
    PqdifMeasured measured = PqdifMeasured::voltage;
    std::vector<double> values;       // one series per channel; stored as REAL8
};

struct PqdifObservationSpec {
    std::string name;                 // e.g. "Sag 2016-02-02T10:25:45Z"
    TimestampUs start_us = 0;         // UTC
    TimestampUs trigger_us = 0;       // 0 = same as start
    PqdifQuantity quantity = PqdifQuantity::waveform;
    double sample_interval_s = 1.0 / 7680;  // time step of the series (128 samples/cycle at 60 Hz)
    std::vector<PqdifSeriesSpec> channels;  // all the same length
};

struct PqdifFileSpec {
    std::string title;                // container file name tag, e.g. the .pqd name
    std::string equipment = "JEMStar II";
    std::string serial;               // data source name
    TimestampUs created_us = 0;       // container creation time (UTC)
    bool compress = true;             // zlib record-level compression of every record but the container
    std::vector<PqdifObservationSpec> observations;
};

// A structurally valid file: container, data source (channel definitions), monitor
// settings, one observation record per observation spec, linked in order.
std::vector<std::byte> write_pqdif(const PqdifFileSpec& spec);

}  // namespace gridgate::files
