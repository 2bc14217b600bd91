#pragma once
// The `pqdif ...` control commands (see control_commands.hpp for the language) over the
// folder of PQDIF recordings. The folder itself (files, timers) is runtime
// (pqdif_recorder.hpp); the command language only sees this interface, so it stays pure.
//   pqdif make [type|next] [count]   make recordings now    -> their names, one per line
//   pqdif list                       the folder, oldest first -> "<name> <size>" per line
//   pqdif grow <duration>            the next recording is written over <duration>
//                                                              (first half, pause, rest) -> ok
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/sim/pqdif_recording.hpp"

namespace gridgate::sim {

class PqdifControl {
public:
    virtual ~PqdifControl() = default;
    // Makes `count` recordings at the clock's time, of `type` or (nullopt) of the next types
    // of the configured cycle; returns their names once each file exists (a slow write
    // goes on in the background). Throws std::runtime_error when a file cannot be written.
    virtual std::vector<std::string> make(std::optional<PqdifRecordingType> type, std::size_t count) = 0;
    // The meter's recordings in the folder (names following the pattern), oldest first.
    virtual std::vector<PqdifFolderEntry> list() const = 0;
    // The next recording made is written over `write_time` instead of the configured one.
    virtual void grow_next(Duration write_time) = 0;
};

inline constexpr std::size_t max_pqdif_make_count = 1000;

// `words` starts with "pqdif"; `pqdif` is null when metersim keeps no PQDIF folder.
// Replies are one or more lines joined by '\n' (no trailing newline); "error: ..." on failure.
std::string run_pqdif_command(const std::vector<std::string_view>& words, PqdifControl* pqdif);

}  // namespace gridgate::sim
