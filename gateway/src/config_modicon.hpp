#pragma once
// Loader internals: Modicon register references ("40001") as meter manuals print them.
#include <cstdint>
#include <optional>
#include <string_view>

#include "gridgate/gateway/config.hpp"

namespace gridgate::gateway::config_detail {

struct ModiconRef {
    PointTable table;
    std::uint16_t address;  // PDU address, 0-based
};

// A 5-digit reference is the table digit (0 coil, 1 discrete input, 3 input register,
// 4 holding register) followed by a 1-based number 0001-9999; a 6-digit one has a 5-digit
// number 00001-65536. So 40001 and 400001 are both holding register 0. Anything else
// (other lengths, table digit 2 or 5-9, number 0) is refused: a short number such as "1"
// does not say its table.
std::optional<ModiconRef> parse_modicon_ref(std::string_view text);

}  // namespace gridgate::gateway::config_detail
