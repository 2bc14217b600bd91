// chrony's 32-bit float (value = coefficient * 2^(exponent - 25), 7-bit signed exponent
// on top of a 25-bit signed coefficient) and its split timespec.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gridgate/time/chrony_protocol.hpp"

using namespace gridgate::timesync::chrony;

TEST_CASE("chrony floats decode from hand-built bit patterns", "[chrony][float]") {
    CHECK(decode_float(0x0480'0000u) == 1.0);     // exponent 2, coefficient 2^23
    CHECK(decode_float(0x0280'0000u) == 0.5);     // exponent 1, coefficient 2^23
    CHECK(decode_float(0x0580'0000u) == -1.0);    // exponent 2, coefficient -2^23
    CHECK(decode_float(0) == 0.0);
    CHECK(decode_float(0xFE00'0003u) == std::ldexp(3.0, -26));     // exponent -1, coefficient 3
    CHECK(decode_float(0x01FF'FFFFu) == -std::ldexp(1.0, -25));    // exponent 0, coefficient -1
    CHECK(decode_float(0x0100'0000u) == -0.5);                     // coefficient -2^24
    CHECK(decode_float(0x7EFF'FFFFu) == std::ldexp(16777215.0, 38));  // the largest value
    CHECK(decode_float(0x8000'0001u) == std::ldexp(1.0, -89));     // the smallest positive
}

TEST_CASE("chrony floats encode known values exactly", "[chrony][float]") {
    CHECK(encode_float(1.0) == 0x0480'0000u);
    CHECK(encode_float(0.5) == 0x0280'0000u);
    CHECK(encode_float(-1.0) == 0x0580'0000u);
    CHECK(encode_float(0.0) == 0u);
    CHECK(encode_float(-0.0) == 0u);
    CHECK(encode_float(std::numeric_limits<double>::quiet_NaN()) == 0u);
    CHECK(encode_float(std::ldexp(1.0, -89)) == 0x8000'0001u);
}

TEST_CASE("chrony floats round-trip to 24 significant bits", "[chrony][float]") {
    const std::vector<double> values = {1e-9,    -1e-9,   1.5e-6,  -0.000001501, 0.0001234,
                                        0.1,     -0.25,   3.0,     1.881,        16.0,
                                        64.0,    -500.75, 1024.0,  86400.0,      1e9,
                                        123.456, 1e-18,   -7e-15,  2.5e15};
    for (const double v : values) {
        INFO("value " << v);
        const double back = decode_float(encode_float(v));
        CHECK(std::fabs(back - v) <= std::fabs(v) * std::ldexp(1.0, -24));
        CHECK(std::signbit(back) == std::signbit(v));
    }
}

TEST_CASE("chrony floats saturate when huge and fade to zero when tiny", "[chrony][float]") {
    const double largest = std::ldexp(16777215.0, 38);  // ~4.6e18
    CHECK(decode_float(encode_float(1e30)) == largest);
    CHECK(decode_float(encode_float(-1e30)) == -largest);
    CHECK(decode_float(encode_float(std::numeric_limits<double>::infinity())) == largest);
    CHECK(encode_float(-1e30) == 0x7F00'0001u);
    // Below 2^-65 the exponent is pinned at -64 and low coefficient bits go.
    CHECK(decode_float(encode_float(std::ldexp(1.0, -70))) == std::ldexp(1.0, -70));
    CHECK(decode_float(encode_float(std::ldexp(3.0, -90))) == std::ldexp(1.0, -89));  // lost a bit
    CHECK(encode_float(1e-30) == 0u);
    CHECK(encode_float(-1e-30) == 0u);
}

TEST_CASE("chrony timespecs join the two second halves", "[chrony][timespec]") {
    CHECK(decode_timespec(0, 1'795'254'721u, 324'777'004u) == 1'795'254'721'324'777);
    CHECK(decode_timespec(0x7fff'ffffu, 1'700'000'000u, 5'000u) == 1'700'000'000'000'005);
    CHECK(decode_timespec(1, 0, 0) == (std::int64_t{1} << 32) * 1'000'000);  // after 2106
    CHECK(decode_timespec(0, 10, 2'000'000'000u) == 10'999'999);  // nanoseconds clamped
    CHECK(decode_timespec(0, 0, 0) == 0);
}
