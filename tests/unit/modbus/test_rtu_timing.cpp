// RTU line timing: character times, t1.5 / t3.5, and the physical ceiling of a read.
#include <catch2/catch.hpp>

#include "gridgate/modbus/rtu_timing.hpp"

using namespace gridgate;
using namespace gridgate::modbus;
using std::chrono::microseconds;

TEST_CASE("characters are 1 start + data + parity + stop bits") {
    CHECK(bits_per_character(8, false, 1) == 10);  // 8N1
    CHECK(bits_per_character(8, true, 1) == 11);   // 8E1, 8O1
    CHECK(bits_per_character(8, false, 2) == 11);  // 8N2
    CHECK(bits_per_character(7, true, 1) == 10);
}

TEST_CASE("t1.5 and t3.5 follow the baud rate up to 19200") {
    // 11-bit characters: 9600 baud -> 1145.83 us per character.
    const RtuTiming t9600 = rtu_timing(9600, 11);
    CHECK(t9600.character == microseconds(1146));
    CHECK(t9600.t1_5 == microseconds(1719));  // 1718.75 rounded up
    CHECK(t9600.t3_5 == microseconds(4011));  // 4010.42 rounded up

    const RtuTiming t19200 = rtu_timing(19200, 11);
    CHECK(t19200.t1_5 == microseconds(860));   // 859.375
    CHECK(t19200.t3_5 == microseconds(2006));  // 2005.2

    const RtuTiming t1200 = rtu_timing(1200, 11);
    CHECK(t1200.t3_5 == microseconds(32084));  // 32083.3
}

TEST_CASE("above 19200 baud the silences are fixed at 750 us and 1750 us") {
    for (const unsigned baud : {38400u, 57600u, 115200u}) {
        const RtuTiming t = rtu_timing(baud, 11);
        CHECK(t.t1_5 == microseconds(750));
        CHECK(t.t3_5 == microseconds(1750));
    }
}

TEST_CASE("an 8N1 line keeps the spec's 11-bit silences but 10-bit wire times") {
    const RtuTiming t = rtu_timing(9600, 10);
    CHECK(t.character == microseconds(1042));  // 1041.67
    CHECK(t.t3_5 == rtu_timing(9600, 11).t3_5);
    CHECK(t.wire_time(8) == microseconds(8334));  // 8333.3, rounded once
}

TEST_CASE("wire time is exact, not a sum of rounded characters") {
    const RtuTiming t = rtu_timing(115200, 11);
    CHECK(t.character == microseconds(96));         // 95.49
    CHECK(t.wire_time(263) == microseconds(25113));  // 25112.85, not 263 * 96 = 25248
    CHECK(t.wire_time(0) == microseconds(0));
}

TEST_CASE("the physical ceiling of a read: (13 + 2N) characters, two t3.5, turnaround") {
    const RtuTiming t = rtu_timing(9600, 11);
    // N = 10: 33 characters = 37812.5 us -> 37813, + 2 x 4011 + 2000.
    CHECK(rtu_read_cycle_floor(t, 10, microseconds(2000)) == microseconds(37813 + 8022 + 2000));
    const RtuTiming fast = rtu_timing(115200, 11);
    CHECK(rtu_read_cycle_floor(fast, 125, microseconds(0)) == microseconds(25113 + 3500));
}
