#pragma once
// Fault switches of a simulated meter, set at start (--fault jem2=off) or at runtime
// over the control socket (fault jem2 slow 2s). crc, wrong-address and noise act on the
// RTU framing; a Modbus TCP meter has no CRC and answers normally under crc and noise,
// and puts another unit id in its reply under wrong-address.
#include <cstdint>
#include <string>
#include <string_view>

#include "gridgate/core/time.hpp"

namespace gridgate::sim {

enum class FaultKind : std::uint8_t {
    none,           // behave normally
    off,            // accept TCP, never answer
    slow,           // answer after `delay` ("late" on the command line is the same)
    exception,      // answer every request with `exception_code`
    garbage,        // answer with random bytes that are not Modbus
    crc,            // RTU: answer with both CRC bytes inverted
    wrong_address,  // answer as another slave (wrong_address_for)
    noise,          // RTU: random bytes on the line, t3.5 of silence, then the reply
};

struct Fault {
    FaultKind kind = FaultKind::none;
    Duration delay{0};              // slow
    std::uint8_t exception_code = 0;  // exception, 1..255
    friend bool operator==(const Fault&, const Fault&) = default;
};

// The fault language in one line, for usage and error messages.
inline constexpr std::string_view fault_usage =
    "none|off|slow <duration>|late <duration>|exception <code>|garbage|crc|wrong-address|noise";

// Parses "none", "off", "slow <duration>" (or "late <duration>"), "exception <code>",
// "garbage", "crc", "wrong-address" or "noise"; the argument may also follow a colon
// ("slow:2s"). The code is decimal or 0x-hex.
// On failure returns false and says why in `error`.
bool parse_fault(std::string_view text, Fault& out, std::string& error);

// "jem2=off", "jem2=slow:500ms": the command-line form, meter id before '='.
bool parse_fault_assignment(std::string_view text, std::string& meter, Fault& out, std::string& error);

// The inverse of parse_fault: "none", "slow 500ms", "exception 4", "wrong-address".
std::string to_string(const Fault& fault);

// The address a wrong-address reply carries instead of `address`: the next one up, with
// 247 (the highest RTU slave address) and anything above wrapping to 1. Never equal to
// `address`.
std::uint8_t wrong_address_for(std::uint8_t address);

}  // namespace gridgate::sim
