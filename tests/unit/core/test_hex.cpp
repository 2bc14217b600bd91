#include <catch2/catch.hpp>

#include "gridgate/core/hex.hpp"

using namespace gridgate;

TEST_CASE("hex round trip") {
    auto bytes = from_hex("00 01 7f 80 FF");
    REQUIRE(bytes);
    REQUIRE(bytes->size() == 5);
    CHECK(to_hex(*bytes) == "00 01 7f 80 ff");
}

TEST_CASE("bad hex is refused") {
    CHECK_FALSE(from_hex("0"));
    CHECK_FALSE(from_hex("zz"));
    CHECK(from_hex("")->empty());
}
