#pragma once
// The reference meter's PQDIF file names (meter-features.md 13.2):
//   <serial>_<unix seconds>_<microseconds>_<type>.pqd        e.g. 142300003_1454408745_133724_07.pqd
//   <serial>_<unix seconds>_<microseconds>_<log>_08.pqd      measurement log <log> (1-8)
// <type> is a bit field: 1 sag/swell, 2 waveform, 4 high-speed RMS, 8 measurement log,
// 16 rapid voltage change, 32 voltage interruption, 128 daily file. Pure.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gridgate/core/time.hpp"

namespace gridgate::files {

struct PqdifName {
    std::string serial;            // no spaces, no '_'
    std::int64_t unix_seconds = 0; // 10 digits in the name
    std::uint32_t microseconds = 0;  // 0..999999, written without padding
    std::uint32_t type_bits = 0;   // the DataType field
    unsigned log_number = 0;       // 1..8 for measurement-log files (type 8), else 0

    TimestampUs time_us() const { return unix_seconds * 1'000'000 + microseconds; }
};

// nullopt when the name does not follow the pattern (the file is still taken, with no
// parsed fields).
std::optional<PqdifName> parse_pqdif_name(std::string_view file_name);
std::string format_pqdif_name(const PqdifName& name);
// "sag_swell", "waveform", "hsrms", "measurement_log", "rvc", "interruption", "daily",
// comma-separated in bit order; unknown bits as "bit<n>".
std::string describe_pqdif_type(std::uint32_t type_bits);

}  // namespace gridgate::files
