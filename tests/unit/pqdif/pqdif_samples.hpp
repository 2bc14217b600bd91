#pragma once
// Sample specs and byte helpers shared by the PQDIF tests.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gridgate/files/pqdif.hpp"

namespace pqdif_test {

using namespace gridgate::files;

// 2016-02-02T10:25:45.133724Z, the manual's example file name time.
constexpr gridgate::TimestampUs example_us = 1'454'408'745'133'724;

inline std::vector<double> ramp(std::size_t n, double scale) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = scale * static_cast<double>(i) - 1.5;
    return v;
}

// A sag file: waveform (Va, Vb, Ia), then HSRMS (phasor) and a value log, several observations.
inline PqdifFileSpec sample_spec(bool compress, std::size_t samples = 64) {
    PqdifFileSpec s;
    s.title = "142300003_1454408745_133724_07.pqd";
    s.serial = "142300003";
    s.created_us = example_us + 2'000'000;
    s.compress = compress;
    PqdifObservationSpec w;
    w.name = "Sag 2016-02-02T10:25:45Z";
    w.start_us = example_us;
    w.quantity = PqdifQuantity::waveform;
    w.channels = {{"Va", PqdifPhase::a_n, PqdifMeasured::voltage, ramp(samples, 2.0)},
                  {"Vb", PqdifPhase::b_n, PqdifMeasured::voltage, ramp(samples, -2.0)},
                  {"Ia", PqdifPhase::a, PqdifMeasured::current, ramp(samples, 0.25)}};
    PqdifObservationSpec h = w;
    h.name = "HSRMS";
    h.start_us = example_us + 1;  // one microsecond later: starts must be exact
    h.quantity = PqdifQuantity::phasor;
    h.sample_interval_s = 1.0 / 120;
    PqdifObservationSpec l;
    l.name = "Measurement log 2";
    l.start_us = example_us - 86'400'000'000 + 999'999;  // the day before, odd microseconds
    l.quantity = PqdifQuantity::value_log;
    l.sample_interval_s = 600;
    l.channels = {{"Freq", PqdifPhase::none, PqdifMeasured::frequency, ramp(samples, 0.001)}};
    s.observations = {w, h, l};
    return s;
}

inline std::uint32_t le32(std::span<const std::byte> f, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v |= std::to_integer<std::uint32_t>(f[at + i]) << (8 * i);
    return v;
}

inline void put32(std::vector<std::byte>& f, std::size_t at, std::uint32_t v) {
    for (std::size_t i = 0; i < 4; ++i) f[at + i] = static_cast<std::byte>((v >> (8 * i)) & 0xFF);
}

// Offsets of the records, following the links from 0.
inline std::vector<std::size_t> record_offsets(std::span<const std::byte> f) {
    std::vector<std::size_t> out{0};
    while (const std::uint32_t next = le32(f, out.back() + 40)) out.push_back(next);
    return out;
}

}  // namespace pqdif_test
