#pragma once
// Answers one Modbus request PDU against a meter model with the JEMStar II's rules
// (reference/meter-modbus.md §6.2, §12, §13, §15):
//   - function codes other than 01, 02, 03, 04, 05, 15, 16            -> exception 01
//   - FC05/FC15 unless outputs are allowed, FC16 unless presets are   -> exception 01
//   - quantity 0 or over the protocol limit (FC16: over 120)          -> exception 03
//   - addresses outside the configured map                            -> exception 02
//   - FC03/FC16 starting on the low word of a counter                 -> exception 02
//   - FC03/FC16 whose last register is the high word of a counter     -> exception 03
// Pure: the caller passes the time of the request.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/sim/meter_model.hpp"

namespace gridgate::sim {

struct HandlerOptions {
    bool allow_outputs = false;  // FC05 / FC15 ("Allow Digital Outputs Control")
    bool allow_presets = false;  // FC16 ("Allow Register Presets")
};

// A read that was answered with data, for the served log: registers for FC03/04, bits
// (0/1) for FC01/02.
struct ServedRead {
    std::uint8_t function = 0;
    std::uint16_t address = 0;
    std::uint16_t count = 0;
    std::vector<std::uint16_t> values;
};

struct HandledRequest {
    std::vector<std::byte> response;   // response PDU; empty = no reply
    bool exception = false;            // the response is an exception
    std::optional<ServedRead> served;  // set for reads answered with data
};

HandledRequest handle_request(MeterModel& model, const HandlerOptions& options, std::span<const std::byte> pdu,
                              SteadyTime now);

}  // namespace gridgate::sim
