// Fuzz target for the PQDIF codec. Whatever a meter or an attacker puts in a .pqd file,
// check_pqdif() must not crash, must say why a file is malformed, and must give a summary
// whose parts agree; tighter limits may only reject more. The input also drives the
// writer (a spec built from its octets must come back well formed with the same start
// times) and the file-name parser (a parsed name formats to a name that parses the same).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "gridgate/files/pqdif.hpp"
#include "gridgate/files/pqdif_name.hpp"

using namespace gridgate::files;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

void summary_consistent(const PqdifSummary& s, const PqdifLimits& limits) {
    check(s.well_formed == s.error.empty());
    check(s.records <= limits.max_records);
    check(s.observation_starts.size() == std::min<std::size_t>(s.observations, 1000));
    for (const auto t : s.observation_starts) check(t >= s.first_start_us && t <= s.last_start_us);
    if (s.observations == 0) check(s.first_start_us == 0 && s.last_start_us == 0);
    const auto json = s.to_json();
    check(json.size() > 2 && json.front() == '{' && json.back() == '}');
}

void file(std::span<const std::byte> bytes) {
    const PqdifLimits wide;
    const auto s = check_pqdif(bytes, wide);
    summary_consistent(s, wide);

    PqdifLimits tight;
    tight.max_records = 8;
    tight.max_depth = 4;
    tight.max_inflated_bytes = 64 * 1024;
    const auto t = check_pqdif(bytes, tight);
    summary_consistent(t, tight);
    if (t.well_formed) {
        check(s.well_formed && s.records == t.records && s.observations == t.observations);
        check(s.observation_starts == t.observation_starts && s.quantity_types == t.quantity_types);
    }
}

// A small spec whose shape and times come from the input.
void writer(std::span<const std::uint8_t> in) {
    std::size_t at = 0;
    const auto next = [&]() -> std::uint8_t { return at < in.size() ? in[at++] : 0; };
    PqdifFileSpec spec;
    spec.title = "fuzz.pqd";
    spec.serial = "1";
    spec.compress = (next() & 1) != 0;
    const int observations = next() % 4;
    std::vector<gridgate::TimestampUs> starts;
    for (int o = 0; o < observations; ++o) {
        std::uint64_t raw = 0;
        for (int i = 0; i < 8; ++i) raw = raw << 8 | next();
        // 1906 .. 2223: inside the day count both ways.
        const auto start = static_cast<gridgate::TimestampUs>(raw % 8'000'000'000'000'000) - 2'000'000'000'000'000;
        PqdifObservationSpec obs;
        obs.name = "o";
        obs.start_us = start;
        obs.quantity = static_cast<PqdifQuantity>(next() % 5);
        const int channels = next() % 3 + 1;
        const std::size_t samples = next() % 9;
        for (int c = 0; c < channels; ++c)
            obs.channels.push_back({"c" + std::to_string(c), static_cast<PqdifPhase>(next() % 8),
                                    static_cast<PqdifMeasured>(next() % 6), std::vector<double>(samples, 1.5 * c)});
        spec.observations.push_back(obs);
        starts.push_back(start);
    }
    const auto f = write_pqdif(spec);
    const auto s = check_pqdif(f);
    check(s.well_formed);
    check(s.observation_starts == starts);
    check(s.compressed == spec.compress);
}

void name(std::span<const std::uint8_t> in) {
    const std::string_view text(reinterpret_cast<const char*>(in.data()), std::min<std::size_t>(in.size(), 80));
    const auto n = parse_pqdif_name(text);
    if (!n) return;
    const auto again = parse_pqdif_name(format_pqdif_name(*n));
    check(again && again->serial == n->serial && again->unix_seconds == n->unix_seconds &&
          again->microseconds == n->microseconds && again->type_bits == n->type_bits && again->log_number == n->log_number);
    check(!describe_pqdif_type(n->type_bits).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> in(data, size);
    file(std::as_bytes(in));
    writer(in);
    name(in);
    return 0;
}
