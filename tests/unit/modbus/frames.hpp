#pragma once
// Test helper: frames written as hex text, the way the Modbus spec prints them.
#include <cstddef>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "gridgate/core/hex.hpp"

namespace gridgate::modbus::test {

inline std::vector<std::byte> hex(std::string_view text) {
    auto bytes = from_hex(text);
    if (!bytes) throw std::invalid_argument("bad hex in test");
    return *bytes;
}

}  // namespace gridgate::modbus::test
