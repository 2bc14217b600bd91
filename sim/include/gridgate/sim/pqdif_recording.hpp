#pragma once
// metersim's power-quality recordings: what one PQDIF file of the reference meter holds
// for a given DataType (meter-features.md 13.1-13.2), its name, and its bytes. Pure: the
// content is a function of the options, the type and the event time, so the same seed
// and clock give the same files. The folder that keeps them is pqdif_recorder.hpp.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/files/pqdif.hpp"

namespace gridgate::sim {

// DataType bits of the file name (meter-features.md 13.2).
inline constexpr std::uint32_t pqdif_sag_swell = 1;
inline constexpr std::uint32_t pqdif_waveform = 2;
inline constexpr std::uint32_t pqdif_hsrms = 4;
inline constexpr std::uint32_t pqdif_measurement_log = 8;
inline constexpr std::uint32_t pqdif_rvc = 16;
inline constexpr std::uint32_t pqdif_interruption = 32;
inline constexpr std::uint32_t pqdif_daily = 128;

// One kind of recording: the DataType, and for a measurement log (type 8) its log number
// 1..8, which the name carries as "<log>_08".
struct PqdifRecordingType {
    std::uint32_t bits = 7;
    unsigned log_number = 0;  // 1..8 when bits == 8, else 0

    bool operator==(const PqdifRecordingType&) const = default;
};

// "7", "32", "8" (measurement log 1), "2_08" (measurement log 2). False for anything
// else: unknown bits, a log number outside 1..8.
bool parse_pqdif_type(std::string_view text, PqdifRecordingType& out);
// "7,1,2,4,2_08": a non-empty list of the above; says why not in `error`.
bool parse_pqdif_types(std::string_view text, std::vector<PqdifRecordingType>& out, std::string& error);
std::string to_string(const PqdifRecordingType& type);  // "7", "2_08"
// The default cycle: each single kind, the full trigger, and a measurement log.
std::vector<PqdifRecordingType> default_pqdif_types();

struct PqdifRecordingOptions {
    std::string serial = "142300003";      // file names and the data source; no spaces or '_'
    std::size_t cycles = 10;               // waveform capture length (pre-fault + event + post-fault)
    std::size_t samples_per_cycle = 128;   // the meter's 16, 128 or 512
    double frequency_hz = 60.0;
    double nominal_volts = 120.0;          // phase-neutral rms
    double nominal_amps = 50.0;
    bool compress = true;
    std::uint64_t seed = 1;
};

// What goes into a file of this type, one observation each, in this order:
//   sag/swell (1)                -> mag_dur_time and xy
//   RVC (16), interruption (32)  -> mag_dur_time (once, even with 1 set too)
//   waveform (2)                 -> waveform
//   high-speed RMS (4)           -> phasor
//   measurement log (8)          -> value_log
//   daily (128)                  -> all five
// The names are check_pqdif()'s quantity names.
std::vector<std::string> pqdif_quantities(std::uint32_t type_bits);

struct PqdifRecording {
    std::string name;              // <serial>_<unix s>_<µs>_<type>.pqd
    files::PqdifFileSpec spec;     // what write_pqdif() gets
};

// The recording of an event at `event_us` (UTC; the name's time): the spec only, so tests
// can look at the values without parsing the file.
PqdifRecording plan_pqdif_recording(const PqdifRecordingOptions& options, const PqdifRecordingType& type,
                                    TimestampUs event_us);
// The file's bytes (write_pqdif of the spec).
std::vector<std::byte> render_pqdif_recording(const PqdifRecording& recording);

// "500000", "500k", "64M", "1G" (k = 1024): the FIFO capacity. 0 is allowed (no limit).
bool parse_byte_size(std::string_view text, std::uint64_t& out);

// The meter's FIFO: given the folder's recordings, the names to delete, oldest first,
// so that the rest fit in `capacity_bytes` (0 = no limit). Oldest = earliest time in the
// name, then name order. Files in `keep` (still being written) are never chosen, and
// neither is the newest file: one recording larger than the whole capacity stays. Names
// that do not follow the meter's pattern are not its recordings: neither counted nor chosen.
struct PqdifFolderEntry {
    std::string name;
    std::uint64_t size = 0;
};
std::vector<std::string> plan_pqdif_fifo(std::vector<PqdifFolderEntry> entries, std::uint64_t capacity_bytes,
                                         const std::vector<std::string>& keep = {});

}  // namespace gridgate::sim
