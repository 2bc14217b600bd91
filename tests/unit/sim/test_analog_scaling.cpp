#include <catch2/catch.hpp>

#include "gridgate/sim/analog_scaling.hpp"
#include "gridgate/sim/register_map.hpp"

using namespace gridgate::sim;

TEST_CASE("analog scaling reproduces the manual's worked examples", "[sim][scaling]") {
    // reference/meter-modbus.md §9.5: 12.56 A on the 0-20 A range.
    CHECK(scale_analog(12.56, amps_range) == 20578);
    // Polyphase watts 1825.438 on 0-31800 with scale factor 10.
    CHECK(scale_analog(1825.438, total_power_range, 10.0) == 18809);
}

TEST_CASE("analog scaling is signed and clamps to a 16-bit register", "[sim][scaling]") {
    CHECK(scale_analog(530.0, volts_range) == 32767);
    CHECK(scale_analog(600.0, volts_range) == 32767);
    CHECK(scale_analog(-1.0, power_factor_range) == -32767);
    CHECK(scale_analog(-2.0, power_factor_range) == -32768);
    CHECK(scale_analog(-5300.0, phase_power_range) == -16384);
    CHECK(analog_register(-1.0, power_factor_range) == 0x8001);
    CHECK(scale_analog(0.0, amps_range) == 0);
}
