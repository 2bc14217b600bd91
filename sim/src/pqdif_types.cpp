// The DataType values metersim records (--pqdif-types, `pqdif make <type>`) and the
// FIFO capacity's byte sizes.
#include <algorithm>
#include <charconv>
#include <cstdint>

#include "gridgate/sim/pqdif_recording.hpp"

namespace gridgate::sim {

namespace {

constexpr std::uint32_t event_bits = pqdif_sag_swell | pqdif_rvc | pqdif_interruption;
constexpr std::uint32_t trigger_bits = event_bits | pqdif_waveform | pqdif_hsrms;

template <typename Integer>
bool parse_integer(std::string_view text, Integer& out) {
    if (text.empty()) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

// The manual's table: a measurement log or a daily file alone, or a trigger's recordings
// (waveform, HSRMS) with at most one kind of event (sag/swell, RVC, interruption).
bool is_known_type(std::uint32_t bits) {
    if (bits == pqdif_measurement_log || bits == pqdif_daily) return true;
    if (bits == 0 || (bits & ~trigger_bits) != 0) return false;
    const std::uint32_t events = bits & event_bits;
    return (events & (events - 1)) == 0;
}

}  // namespace

bool parse_pqdif_type(std::string_view text, PqdifRecordingType& out) {
    const auto underscore = text.find('_');
    if (underscore != std::string_view::npos) {
        unsigned log = 0;
        if (!parse_integer(text.substr(0, underscore), log) || log < 1 || log > 8) return false;
        if (text.substr(underscore + 1) != "08") return false;
        out = PqdifRecordingType{pqdif_measurement_log, log};
        return true;
    }
    std::uint32_t bits = 0;
    if (!parse_integer(text, bits) || !is_known_type(bits)) return false;
    out = PqdifRecordingType{bits, bits == pqdif_measurement_log ? 1u : 0u};
    return true;
}

bool parse_pqdif_types(std::string_view text, std::vector<PqdifRecordingType>& out, std::string& error) {
    if (text.empty()) {
        error = "no types";
        return false;
    }
    std::vector<PqdifRecordingType> types;
    for (std::size_t from = 0;;) {
        const auto comma = text.find(',', from);
        const std::string_view item = text.substr(from, comma == std::string_view::npos ? comma : comma - from);
        PqdifRecordingType type;
        if (!parse_pqdif_type(item, type)) {
            error = "'" + std::string(item) +
                    "' is not a DataType (1-7; 16, 18, 20, 22; 32, 34, 36, 38; 8 or <log>_08 for log 1-8; 128)";
            return false;
        }
        types.push_back(type);
        if (comma == std::string_view::npos) break;
        from = comma + 1;
    }
    out = std::move(types);
    return true;
}

std::string to_string(const PqdifRecordingType& type) {
    if (type.bits == pqdif_measurement_log) return std::to_string(std::max(type.log_number, 1u)) + "_08";
    return std::to_string(type.bits);
}

std::vector<PqdifRecordingType> default_pqdif_types() {
    return {{7, 0}, {pqdif_sag_swell, 0}, {pqdif_waveform, 0}, {pqdif_hsrms, 0},
            {pqdif_measurement_log, 1}, {pqdif_rvc, 0}, {pqdif_interruption, 0}};
}

bool parse_byte_size(std::string_view text, std::uint64_t& out) {
    std::uint64_t scale = 1;
    if (!text.empty()) {
        switch (text.back()) {
            case 'k': case 'K': scale = 1ull << 10; break;
            case 'M': scale = 1ull << 20; break;
            case 'G': scale = 1ull << 30; break;
            default: break;
        }
        if (scale != 1) text.remove_suffix(1);
    }
    std::uint64_t value = 0;
    if (!parse_integer(text, value) || value > UINT64_MAX / scale) return false;
    out = value * scale;
    return true;
}

}  // namespace gridgate::sim
