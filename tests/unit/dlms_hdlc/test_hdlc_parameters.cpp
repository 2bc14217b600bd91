// SNRM/UA parameter negotiation: the information field both ways and what the client uses.
#include <catch2/catch.hpp>

#include "gridgate/dlms/hdlc.hpp"
#include "hdlc_test.hpp"

using namespace gridgate::dlms;
using gridgate::dlms::test::hex;
using gridgate::dlms::test::to_text;

TEST_CASE("parameters encode with the shortest lengths") {
    // The defaults: the information field of the SNRM most DLMS clients send, and of the
    // UA published with it ("81 80 12 ..." in the UA of test_hdlc_frames).
    CHECK(to_text(encode_parameters({})) == "81 80 12 05 01 80 06 01 80 07 04 00 00 00 01 08 04 00 00 00 01");
    CHECK(to_text(encode_parameters({2030, 512, 7, 3})) ==
          "81 80 14 05 02 07 EE 06 02 02 00 07 04 00 00 00 07 08 04 00 00 00 03");
    CHECK(to_text(encode_parameters({255, 256, 1, 1})) ==
          "81 80 13 05 01 FF 06 02 01 00 07 04 00 00 00 01 08 04 00 00 00 01");
}

TEST_CASE("parameters decode in the forms meters send") {
    SECTION("2-octet values, as in the Green Book example UA") {
        const auto p = decode_parameters(hex("81 80 14 05 02 00 80 06 02 00 80 07 04 00 00 00 01 08 04 00 00 00 01"));
        REQUIRE(p);
        CHECK(*p == HdlcParameters{128, 128, 1, 1});
    }
    SECTION("1-octet values") {
        const auto p = decode_parameters(hex("81 80 12 05 01 80 06 01 80 07 04 00 00 00 01 08 04 00 00 00 01"));
        REQUIRE(p);
        CHECK(*p == HdlcParameters{});
    }
    SECTION("4-octet maximum lengths, one over 65535") {
        const auto p = decode_parameters(hex("81 80 0C 05 04 00 00 04 00 06 04 00 01 00 00"));
        REQUIRE(p);
        CHECK(p->max_info_tx == 1024);
        CHECK(p->max_info_rx == 65535);
        CHECK(p->window_tx == 1);
        CHECK(p->window_rx == 1);
    }
    SECTION("an empty field, an empty group, missing parameters take the defaults") {
        CHECK(decode_parameters({}) == HdlcParameters{});
        CHECK(decode_parameters(hex("81 80 00")) == HdlcParameters{});
        CHECK(decode_parameters(hex("81 80 06 08 04 00 00 00 07")) == HdlcParameters{128, 128, 1, 7});
        CHECK(decode_parameters(hex("81 80 04 06 02 01 00")) == HdlcParameters{128, 256, 1, 1});
    }
    SECTION("any order, unknown parameters skipped, windows of other lengths, over 7 capped") {
        const auto p = decode_parameters(hex("81 80 11 08 01 03 01 02 AA BB 07 02 00 09 06 01 40 05 01 20"));
        REQUIRE(p);
        CHECK(*p == HdlcParameters{32, 64, 7, 3});
    }
    SECTION("well-formed groups after the parameter group are skipped") {
        CHECK(decode_parameters(hex("81 80 03 05 01 40 F0 02 12 34")) == HdlcParameters{64, 128, 1, 1});
        CHECK(decode_parameters(hex("81 80 03 05 01 40 F0 00")) == HdlcParameters{64, 128, 1, 1});
    }
}

TEST_CASE("malformed parameter fields are rejected") {
    for (const char* bad : {
             "81",                              // cut short
             "81 80",                           //
             "82 80 00",                        // format identifier
             "81 81 00",                        // group identifier
             "81 80 04 05 01 80",               // group longer than the field
             "81 80 03 05 02 80",               // parameter longer than the group
             "81 80 01 05",                     // parameter id without a length
             "81 80 05 05 03 00 00 80",         // a 3-octet maximum length
             "81 80 02 05 00",                  // an empty one
             "81 80 03 05 01 00",               // a zero maximum length
             "81 80 02 07 00",                  // an empty window
             "81 80 07 07 05 00 00 00 00 01",   // a 5-octet window
             "81 80 06 08 04 00 00 00 00",      // a zero window
             "81 80 03 05 01 40 F0",            // a trailing group without its length
             "81 80 03 05 01 40 F0 03 12 34",   // a trailing group longer than the field
         }) {
        INFO(bad);
        CHECK_FALSE(decode_parameters(hex(bad)));
    }
}

TEST_CASE("encode and decode agree") {
    for (const HdlcParameters p : {HdlcParameters{}, HdlcParameters{1, 1, 1, 1}, HdlcParameters{2030, 2030, 7, 7},
                                   HdlcParameters{255, 256, 2, 5}, HdlcParameters{65535, 128, 1, 4}}) {
        const auto back = decode_parameters(encode_parameters(p));
        REQUIRE(back);
        CHECK(*back == p);
    }
}

TEST_CASE("negotiation takes the smaller of what each side can do") {
    // The JEMStar answers 128/128/1/1 to anything.
    CHECK(negotiate({}, {128, 128, 1, 1}) == HdlcParameters{128, 128, 1, 1});
    CHECK(negotiate({1024, 1024, 7, 7}, {128, 128, 1, 1}) == HdlcParameters{128, 128, 1, 1});
    // Each direction pairs the client's side with the server's opposite side.
    CHECK(negotiate({1000, 2000, 3, 5}, {500, 1500, 4, 2}) == HdlcParameters{1000, 500, 2, 4});
    CHECK(negotiate({100, 2000, 7, 1}, {2030, 300, 7, 7}) == HdlcParameters{100, 2000, 7, 1});
}
