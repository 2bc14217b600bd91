// Modicon references as printed in meter manuals, to PDU table and address.
#include <catch2/catch.hpp>

#include "config_modicon.hpp"

using namespace gridgate::gateway;
using namespace gridgate::gateway::config_detail;

namespace {
bool is(std::string_view ref, PointTable table, unsigned address) {
    const auto parsed = parse_modicon_ref(ref);
    return parsed && parsed->table == table && parsed->address == address;
}
}  // namespace

TEST_CASE("5-digit references: table digit, then a 1-based number") {
    CHECK(is("00001", PointTable::coil, 0));
    CHECK(is("09999", PointTable::coil, 9998));
    CHECK(is("10001", PointTable::discrete_input, 0));
    CHECK(is("10005", PointTable::discrete_input, 4));
    CHECK(is("30001", PointTable::input_register, 0));
    CHECK(is("30019", PointTable::input_register, 18));
    CHECK(is("40001", PointTable::holding_register, 0));
    CHECK(is("40011", PointTable::holding_register, 10));
    CHECK(is("49999", PointTable::holding_register, 9998));
}

TEST_CASE("6-digit references reach the whole 16-bit address space") {
    CHECK(is("000001", PointTable::coil, 0));
    CHECK(is("165536", PointTable::discrete_input, 65535));
    CHECK(is("300001", PointTable::input_register, 0));
    CHECK(is("400001", PointTable::holding_register, 0));
    CHECK(is("465536", PointTable::holding_register, 65535));
}

TEST_CASE("references that do not name a table and a register are refused") {
    for (const char* bad : {"", "1", "4001", "40000", "00000", "20001", "50001", "90001", "4000a", "465537",
                            "400000", "4000001", "+4001", "-4001", " 40001"})
        CHECK_FALSE(parse_modicon_ref(bad));
}
