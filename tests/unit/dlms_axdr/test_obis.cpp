// OBIS codes: every text form configuration files use, and what is refused.
#include <catch2/catch.hpp>

#include "gridgate/dlms/obis.hpp"

using namespace gridgate::dlms;

TEST_CASE("OBIS codes parse in the dotted and the IEC 62056-61 forms") {
    const Obis energy{{1, 0, 1, 8, 0, 255}};
    CHECK(Obis::parse("1.0.1.8.0.255") == energy);
    CHECK(Obis::parse("1-0:1.8.0.255") == energy);
    CHECK(Obis::parse("1-0:1.8.0*255") == energy);
    CHECK(Obis::parse("1.0.1.8.0") == energy);
    CHECK(Obis::parse("1-0:1.8.0") == energy);
    CHECK(Obis::parse("0.0.1.0.0.255") == obis::clock);
    CHECK(Obis::parse("1-0:99.1.0*255") == obis::load_profile_1);
    CHECK(Obis::parse("1.0.98.1.0.255") == obis::load_profile_2);
    CHECK(Obis::parse("0-0:40.0.0.255") == obis::current_association);
    CHECK(Obis::parse("1.128.88.29.0.255") == Obis{{1, 128, 88, 29, 0, 255}});  // the meter's own groups
    CHECK(Obis::parse("1-0:1.8.0*101") == Obis{{1, 0, 1, 8, 0, 101}});
    CHECK(Obis::parse("0.0.0.0.0.0") == Obis{{0, 0, 0, 0, 0, 0}});
    CHECK(Obis::parse("255.255.255.255.255.255") == Obis{{255, 255, 255, 255, 255, 255}});
    CHECK(Obis::parse("001.000.001.008.000.255") == energy);
}

TEST_CASE("OBIS text that is not a code is refused") {
    for (const char* bad : {"", "1", "1.0.1.8", "1.0.1.8.0.255.0", "1.0.1.8.0.256", "256.0.1.8.0.255",
                            "1.0.1.8.0.1000", "0001.0.1.8.0.255", "1..1.8.0.255", "1.0.1.8.0.", ".0.1.8.0.255",
                            "1.0.1.8.0*255", "1-0.1.8.0.255", "1-0:1.8", "1-0:1.8.0.255.1", "1-0:1:8.0.255",
                            "1-0:1.8.0*", "1-0:1.8.0**255", " 1.0.1.8.0.255", "1.0.1.8.0.255 ", "1.0.1.8.0.25x",
                            "a.b.c.d.e.f", "-1.0.1.8.0.255", "+1.0.1.8.0.255", "1.0.1.8.0.0x1F", "1,0,1,8,0,255"}) {
        INFO('"' << bad << '"');
        CHECK_FALSE(Obis::parse(bad));
    }
}

TEST_CASE("OBIS codes from the six octets of a logical name, and back to text") {
    const std::uint8_t ln[] = {1, 0, 99, 1, 0, 255};
    CHECK(Obis::from_bytes(ln) == obis::load_profile_1);
    CHECK_FALSE(Obis::from_bytes(std::span<const std::uint8_t>(ln, 5)));
    const std::uint8_t seven[] = {1, 0, 99, 1, 0, 255, 0};
    CHECK_FALSE(Obis::from_bytes(seven));
    CHECK(obis::load_profile_1.to_string() == "1.0.99.1.0.255");
    CHECK(Obis{{255, 0, 0, 0, 0, 9}}.to_string() == "255.0.0.0.0.9");
    CHECK(Obis::parse(obis::clock.to_string()) == obis::clock);
    CHECK(obis::clock < obis::load_profile_1);
}
