#pragma once
// One line of the served log, the record of every read answered with data:
//   {"t":<utc µs>,"meter":"jem1","unit":1,"fc":3,"addr":0,"count":10,"values":[...]}
// values are the registers as unsigned 16-bit numbers (FC03/04) or 0/1 bits (FC01/02).
// Integration tests compare it with what the gateway published.
#include <cstdint>
#include <string>
#include <string_view>

#include "gridgate/core/time.hpp"
#include "gridgate/sim/request_handler.hpp"

namespace gridgate::sim {

// Appends the line, newline included, to `out`.
void append_served_line(std::string& out, TimestampUs t, std::string_view meter, std::uint8_t unit,
                        const ServedRead& read);

}  // namespace gridgate::sim
