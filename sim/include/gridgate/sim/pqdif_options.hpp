#pragma once
// metersim's PQDIF folder settings (--pqdif-* options, docs/metersim.md "PQDIF recordings").
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/sim/pqdif_recording.hpp"

namespace gridgate::sim {

struct PqdifRecorderOptions {
    std::string dir;                  // the meter's PQDIF folder; empty = no recordings
    PqdifRecordingOptions recording;  // serial, waveform length, compression, seed
    std::vector<PqdifRecordingType> types = default_pqdif_types();  // cycled through, in order
    std::size_t initial_files = 0;    // made at start, spread over the time before it
    Duration every{0};                // a new recording this often; 0 = only on command
    std::uint64_t capacity_bytes = 0; // the FIFO: oldest deleted beyond this total; 0 = no limit
    Duration write_time{0};           // each file written as first half, this pause, second half

    bool enabled() const { return !dir.empty(); }
};

}  // namespace gridgate::sim
