#include "pqdif_cli.hpp"

#include <algorithm>
#include <array>

namespace gridgate::sim {

namespace po = boost::program_options;

namespace {

constexpr std::size_t max_cycles = 3600;  // the longest HSRMS recording at 60 Hz
constexpr std::size_t max_initial_files = 100'000;

// A duration, or a bare 0.
bool parse_delay(const std::string& text, Duration& out) {
    if (text == "0") {
        out = Duration::zero();
        return true;
    }
    return parse_duration(text, out);
}

}  // namespace

void describe_pqdif(po::options_description& d, SimOptions& o, PqdifRawOptions& raw) {
    PqdifRecorderOptions& p = o.pqdif;
    d.add_options()
        ("pqdif-dir", po::value(&p.dir),
         "keep the meter's PQDIF recordings in this folder (created if missing; serve it by SFTP)")
        ("pqdif-serial", po::value(&p.recording.serial)->default_value(p.recording.serial),
         "meter serial number in the file names and the data source (no spaces or '_')")
        ("pqdif-files", po::value(&p.initial_files)->default_value(p.initial_files),
         "recordings made at start, dated --pqdif-every (or 1 minute) apart before now")
        ("pqdif-every", po::value(&raw.every)->default_value(raw.every),
         "make a new recording this often, e.g. 30s (0 = only on command)")
        ("pqdif-capacity", po::value(&raw.capacity)->default_value(raw.capacity),
         "the meter's FIFO: delete the oldest recordings while the folder holds more bytes than this, "
         "e.g. 2M (k/M/G = 1024-multiples; 0 = no limit)")
        ("pqdif-cycles", po::value(&p.recording.cycles)->default_value(p.recording.cycles),
         "waveform capture and HSRMS length in cycles (1..3600): drives the file size")
        ("pqdif-samples-per-cycle", po::value(&raw.samples_per_cycle)->default_value(raw.samples_per_cycle),
         "waveform samples per cycle: 16, 128 or 512 (the meter's low, medium, high rate)")
        ("pqdif-compress", po::value(&raw.compress)->default_value(raw.compress),
         "on|off: zlib-compressed record bodies (the meter's default) or plain")
        ("pqdif-types", po::value(&raw.types),
         "DataType values to cycle through, e.g. 7,1,2,4,8,16,32 (default); <log>_08 is measurement log <log>")
        ("pqdif-write-time", po::value(&raw.write_time)->default_value(raw.write_time),
         "write each file in place as a first half, this pause and the rest, e.g. 2s (0 = at once)");
}

std::string check_pqdif_options(SimOptions& o, const PqdifRawOptions& raw, const po::variables_map& vm) {
    PqdifRecorderOptions& p = o.pqdif;
    if (!p.enabled()) {
        for (const char* name : {"pqdif-serial", "pqdif-files", "pqdif-every", "pqdif-capacity", "pqdif-cycles",
                                 "pqdif-samples-per-cycle", "pqdif-compress", "pqdif-types", "pqdif-write-time"})
            if (vm.count(name) != 0 && !vm[name].defaulted()) return std::string("--") + name + " needs --pqdif-dir";
        return "";
    }
    const std::string& serial = p.recording.serial;
    if (serial.empty() || serial.find_first_of(" _/\t") != std::string::npos)
        return "--pqdif-serial must be non-empty without spaces, '_' or '/'";
    if (p.initial_files > max_initial_files) return "--pqdif-files must be 0.." + std::to_string(max_initial_files);
    if (!parse_delay(raw.every, p.every)) return "--pqdif-every needs a duration such as 30s, or 0";
    if (!parse_byte_size(raw.capacity, p.capacity_bytes))
        return "--pqdif-capacity needs a byte count such as 500000, 512k or 2M, or 0";
    if (p.recording.cycles < 1 || p.recording.cycles > max_cycles)
        return "--pqdif-cycles must be 1.." + std::to_string(max_cycles);
    constexpr std::array<unsigned, 3> rates{16, 128, 512};
    if (std::find(rates.begin(), rates.end(), raw.samples_per_cycle) == rates.end())
        return "--pqdif-samples-per-cycle must be 16, 128 or 512";
    p.recording.samples_per_cycle = raw.samples_per_cycle;
    if (raw.compress != "on" && raw.compress != "off") return "--pqdif-compress must be on or off";
    p.recording.compress = raw.compress == "on";
    std::string error;
    if (vm.count("pqdif-types") != 0 && !parse_pqdif_types(raw.types, p.types, error))
        return "--pqdif-types " + raw.types + ": " + error;
    if (!parse_delay(raw.write_time, p.write_time)) return "--pqdif-write-time needs a duration such as 2s, or 0";
    p.recording.seed = o.seed;
    return "";
}

}  // namespace gridgate::sim
