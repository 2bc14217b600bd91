// HDLC fields: the check sequence, addresses and the control field.
#include <catch2/catch.hpp>

#include <random>
#include <stdexcept>

#include "gridgate/dlms/hdlc.hpp"
#include "hdlc_test.hpp"

using namespace gridgate::dlms;
using gridgate::dlms::test::fcs_bitwise;
using gridgate::dlms::test::hex;

TEST_CASE("fcs16 is CRC-16/X.25") {
    // The check value of the CRC catalogue for CRC-16/X.25 (alias CRC-16/IBM-SDLC).
    CHECK(fcs16(hex("31 32 33 34 35 36 37 38 39")) == 0x906E);
    CHECK(fcs_bitwise(hex("31 32 33 34 35 36 37 38 39")) == 0x906E);
    CHECK(fcs16({}) == 0x0000);  // 0xFFFF in, complemented out

    // The FCS of the SNRM every DLMS tool sends first (server 1, client 16): 0F 01 on the
    // wire, least significant octet first.
    CHECK(fcs16(hex("A0 07 03 21 93")) == 0x010F);
    // The HCS of the Green Book example AARQ (4-octet server address), 7E CB on the wire:
    // a check octet that happens to be the flag value.
    CHECK(fcs16(hex("A0 2E 00 02 00 23 21 10")) == 0xCB7E);

    std::mt19937 rng(46);
    for (int round = 0; round < 300; ++round) {
        std::vector<std::uint8_t> data(rng() % 64);
        for (auto& b : data) b = static_cast<std::uint8_t>(rng());
        CHECK(fcs16(data) == fcs_bitwise(data));
    }
}

TEST_CASE("addresses encode as 7 bits per octet, the low bit ending them") {
    CHECK(encode_address(HdlcAddress::client(16)) == hex("21"));
    CHECK(encode_address(HdlcAddress::client(1)) == hex("03"));
    CHECK(encode_address(HdlcAddress::client(0x7F)) == hex("FF"));
    // The JEMStar's management logical device at physical ID 100.
    CHECK(encode_address(HdlcAddress::server(1, 100)) == hex("00 02 00 C9"));
    // The Green Book example server: upper 0x0001, lower 0x0011.
    CHECK(encode_address(HdlcAddress::server(1, 0x11)) == hex("00 02 00 23"));
    CHECK(encode_address(HdlcAddress::server(0x3FFF, 0x3FFF)) == hex("FE FE FE FF"));
    CHECK(encode_address(HdlcAddress::server(0x0080, 0x0081)) == hex("02 00 02 03"));
    CHECK(encode_address(HdlcAddress::server(1, 0x20, 2)) == hex("02 41"));
    CHECK(encode_address(HdlcAddress::server(1, 0, 1)) == hex("03"));

    CHECK_THROWS_AS(encode_address(HdlcAddress::client(0x80)), std::invalid_argument);
    CHECK_THROWS_AS(encode_address(HdlcAddress{1, 1, 1}), std::invalid_argument);  // no lower part in 1 octet
    CHECK_THROWS_AS(encode_address(HdlcAddress::server(0x80, 1, 2)), std::invalid_argument);
    CHECK_THROWS_AS(encode_address(HdlcAddress::server(1, 0x80, 2)), std::invalid_argument);
    CHECK_THROWS_AS(encode_address(HdlcAddress::server(0x4000, 1)), std::invalid_argument);
    CHECK_THROWS_AS(encode_address(HdlcAddress::server(1, 0x4000)), std::invalid_argument);
    CHECK_THROWS_AS(encode_address(HdlcAddress::server(1, 1, 3)), std::invalid_argument);
    CHECK_THROWS_AS(encode_address(HdlcAddress::server(1, 1, 0)), std::invalid_argument);
}

TEST_CASE("addresses decode from the front of a span") {
    auto a = decode_address(hex("00 02 00 C9 21 93"));
    REQUIRE(a);
    CHECK(a->first == HdlcAddress::server(1, 100));
    CHECK(a->second == 4);

    a = decode_address(hex("21 93"));
    REQUIRE(a);
    CHECK(a->first == HdlcAddress::client(16));
    CHECK(a->second == 1);

    a = decode_address(hex("02 41"));
    REQUIRE(a);
    CHECK(a->first == HdlcAddress::server(1, 0x20, 2));

    a = decode_address(hex("48 68 FE FF"));
    REQUIRE(a);
    CHECK(a->first == HdlcAddress::server(0x24 << 7 | 0x34, 0x3FFF));

    CHECK_FALSE(decode_address({}));
    CHECK_FALSE(decode_address(hex("00 02 00")));        // cut short
    CHECK_FALSE(decode_address(hex("00 02 01")));        // 3 octets
    CHECK_FALSE(decode_address(hex("00 02 00 C8 21")));  // more than 4

    // Every address that encodes decodes back to itself.
    for (std::uint16_t upper : {0, 1, 0x11, 0x7F, 0x80, 0x1234, 0x3FFF})
        for (std::uint16_t lower : {0, 1, 16, 100, 0x7F, 0x3FFF})
            for (std::uint8_t octets : {1, 2, 4}) {
                const HdlcAddress addr{upper, octets == 1 ? std::uint16_t{0} : lower, octets};
                std::vector<std::uint8_t> wire;
                try {
                    wire = encode_address(addr);
                } catch (const std::invalid_argument&) {
                    continue;
                }
                const auto back = decode_address(wire);
                REQUIRE(back);
                CHECK(back->first == addr);
                CHECK(back->second == octets);
            }
}

TEST_CASE("control fields follow IEC 62056-46") {
    CHECK((HdlcControl{FrameType::snrm, 0, 0, true}).encode() == 0x93);
    CHECK((HdlcControl{FrameType::disc, 0, 0, true}).encode() == 0x53);
    CHECK((HdlcControl{FrameType::ua, 0, 0, true}).encode() == 0x73);
    CHECK((HdlcControl{FrameType::dm, 0, 0, true}).encode() == 0x1F);
    CHECK((HdlcControl{FrameType::frmr, 0, 0, true}).encode() == 0x97);
    CHECK((HdlcControl{FrameType::ui, 0, 0, false}).encode() == 0x03);
    CHECK((HdlcControl{FrameType::i, 0, 0, true}).encode() == 0x10);   // the first I frame (AARQ)
    CHECK((HdlcControl{FrameType::i, 1, 5, true}).encode() == 0xB2);   // N(S)=1 N(R)=5
    CHECK((HdlcControl{FrameType::i, 0, 1, true}).encode() == 0x30);   // the AARE's
    CHECK((HdlcControl{FrameType::rr, 0, 1, true}).encode() == 0x31);
    CHECK((HdlcControl{FrameType::rnr, 0, 7, false}).encode() == 0xE5);
    CHECK((HdlcControl{FrameType::i, 9, 10, false}).encode() == 0x42);  // modulo 8: N(S)=1 N(R)=2
    CHECK((HdlcControl{FrameType::ua, 3, 4, true}).encode() == 0x73);   // no sequence numbers in U frames

    const auto i = HdlcControl::decode(0xB2);
    REQUIRE(i);
    CHECK(*i == HdlcControl{FrameType::i, 1, 5, true});
    const auto rr = HdlcControl::decode(0x51);
    REQUIRE(rr);
    CHECK(*rr == HdlcControl{FrameType::rr, 0, 2, true});
    const auto ui = HdlcControl::decode(0x13);
    REQUIRE(ui);
    CHECK(*ui == HdlcControl{FrameType::ui, 0, 0, true});

    CHECK_FALSE(HdlcControl::decode(0x09));  // REJ
    CHECK_FALSE(HdlcControl::decode(0x0D));  // SREJ
    CHECK_FALSE(HdlcControl::decode(0x2F));  // SABM
    CHECK_FALSE(HdlcControl::decode(0xAF));  // XID

    // Every octet either decodes to a control that encodes back to it, or is unknown;
    // the known ones are all I, RR, RNR and the six U frames with P/F either way.
    int known = 0;
    for (int c = 0; c < 256; ++c) {
        const auto d = HdlcControl::decode(static_cast<std::uint8_t>(c));
        if (!d) continue;
        ++known;
        CHECK(d->encode() == c);
    }
    CHECK(known == 128 + 16 + 16 + 6 * 2);
}

TEST_CASE("frame type names") {
    CHECK(std::string(to_string(FrameType::i)) == "I");
    CHECK(std::string(to_string(FrameType::rr)) == "RR");
    CHECK(std::string(to_string(FrameType::rnr)) == "RNR");
    CHECK(std::string(to_string(FrameType::snrm)) == "SNRM");
    CHECK(std::string(to_string(FrameType::disc)) == "DISC");
    CHECK(std::string(to_string(FrameType::ua)) == "UA");
    CHECK(std::string(to_string(FrameType::dm)) == "DM");
    CHECK(std::string(to_string(FrameType::frmr)) == "FRMR");
    CHECK(std::string(to_string(FrameType::ui)) == "UI");
}
