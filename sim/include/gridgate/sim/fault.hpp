#pragma once
// Fault switches of a simulated meter, set at start (--fault jem2=off) or at runtime
// over the control socket (fault jem2 slow 2s).
#include <cstdint>
#include <string>
#include <string_view>

#include "gridgate/core/time.hpp"

namespace gridgate::sim {

enum class FaultKind : std::uint8_t {
    none,       // behave normally
    off,        // accept TCP, never answer
    slow,       // answer after `delay`
    exception,  // answer every request with `exception_code`
    garbage,    // answer with random bytes that are not Modbus
};

struct Fault {
    FaultKind kind = FaultKind::none;
    Duration delay{0};              // slow
    std::uint8_t exception_code = 0;  // exception, 1..255
    friend bool operator==(const Fault&, const Fault&) = default;
};

// Parses "none", "off", "slow <duration>", "exception <code>" or "garbage"; the
// argument may also follow a colon ("slow:2s"). The code is decimal or 0x-hex.
// On failure returns false and says why in `error`.
bool parse_fault(std::string_view text, Fault& out, std::string& error);

// "jem2=off", "jem2=slow:500ms": the command-line form, meter id before '='.
bool parse_fault_assignment(std::string_view text, std::string& meter, Fault& out, std::string& error);

// The inverse of parse_fault: "none", "slow 500ms", "exception 4".
std::string to_string(const Fault& fault);

}  // namespace gridgate::sim
