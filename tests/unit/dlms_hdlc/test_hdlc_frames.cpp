// Whole HDLC frames: published DLMS frames decode to what they say and encode back to the
// same octets; lengths, overhead and the trace line.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "gridgate/dlms/hdlc.hpp"
#include "hdlc_test.hpp"

using namespace gridgate::dlms;
using gridgate::dlms::test::fcs_bitwise;
using gridgate::dlms::test::hex;
using gridgate::dlms::test::slice;
using gridgate::dlms::test::to_text;

namespace {

struct Vector {
    const char* name;
    const char* wire;
    HdlcFrame frame;
};

HdlcFrame make(HdlcAddress dst, HdlcAddress src, HdlcControl control, const char* info = "") {
    HdlcFrame f;
    f.destination = dst;
    f.source = src;
    f.control = control;
    f.info = hex(info);
    return f;
}

const HdlcControl snrm{FrameType::snrm, 0, 0, true};
const HdlcControl ua{FrameType::ua, 0, 0, true};

// Frames published with DLMS/COSEM examples, each checked here against the bit-by-bit CRC:
//  - the SNRM and DISC from client 16 to a 1-octet server address 1 that DLMS tools and
//    meter readers send as their first and last frame (e.g. Gurux, amsreader);
//  - "Examples for DLMS/COSEM information exchange" (G. Kmethy, DLMS UA): SNRM, UA and
//    AARQ between the client at 0x21 (the text says 0x01, but 0x21 is SAP 16, the public
//    client) and server upper 0x0001 / lower 0x0011 (4-octet address);
//  - a GET of the association's logical name from client 32 (Gurux forum);
//  - a UA with the default parameters, and a 2-octet server address AARE and DM (public
//    DLMS tools' test comments).
const Vector vectors[] = {
    {"SNRM, 1-octet server", "7E A0 07 03 21 93 0F 01 7E",
     make(HdlcAddress::server(1, 0, 1), HdlcAddress::client(16), snrm)},
    {"DISC, 1-octet server", "7E A0 07 03 21 53 03 C7 7E",
     make(HdlcAddress::server(1, 0, 1), HdlcAddress::client(16), {FrameType::disc, 0, 0, true})},
    {"SNRM, 4-octet server", "7E A0 0A 00 02 00 23 21 93 18 71 7E",
     make(HdlcAddress::server(1, 0x11), HdlcAddress::client(16), snrm)},
    {"UA with 2-octet parameter values",
     "7E A0 23 21 00 02 00 23 73 F6 C5 81 80 14 05 02 00 80 06 02 00 80 07 04 00 00 00 01 08 04 00 00 00 01 CE 6A 7E",
     make(HdlcAddress::client(16), HdlcAddress::server(1, 0x11), ua,
          "81 80 14 05 02 00 80 06 02 00 80 07 04 00 00 00 01 08 04 00 00 00 01")},
    {"AARQ whose HCS contains 7E",
     "7E A0 2E 00 02 00 23 21 10 7E CB E6 E6 00 60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 "
     "5F 1F 04 00 00 30 1D FF FF D4 C5 7E",
     make(HdlcAddress::server(1, 0x11), HdlcAddress::client(16), {FrameType::i, 0, 0, true},
          "E6 E6 00 60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 30 1D FF FF")},
    {"GET request, I N(S)=1 N(R)=5",
     "7E A0 19 03 41 B2 32 39 E6 E6 00 C0 01 C1 00 0F 00 00 28 00 00 FF 01 00 F9 79 7E",
     make(HdlcAddress::server(1, 0, 1), HdlcAddress::client(32), {FrameType::i, 1, 5, true},
          "E6 E6 00 C0 01 C1 00 0F 00 00 28 00 00 FF 01 00")},
    {"UA with the default parameters",
     "7E A0 1E 03 03 73 40 CC 81 80 12 05 01 80 06 01 80 07 04 00 00 00 01 08 04 00 00 00 01 53 3B 7E",
     make(HdlcAddress::client(1), HdlcAddress::server(1, 0, 1), ua,
          "81 80 12 05 01 80 06 01 80 07 04 00 00 00 01 08 04 00 00 00 01")},
    {"AARE from a 2-octet server address",
     "7E A0 38 21 02 41 30 D1 B1 E6 E7 00 61 29 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 00 A3 05 A1 03 02 01 "
     "00 BE 10 04 0E 08 00 06 5F 1F 04 00 00 10 10 04 00 00 07 36 E3 7E",
     make(HdlcAddress::client(16), HdlcAddress::server(1, 0x20, 2), {FrameType::i, 0, 1, true},
          "E6 E7 00 61 29 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 00 A3 05 A1 03 02 01 00 BE 10 04 0E 08 00 06 "
          "5F 1F 04 00 00 10 10 04 00 00 07")},
    {"DM from a 2-octet server address", "7E A0 08 21 00 41 1F 4D 09 7E",
     make(HdlcAddress::client(16), HdlcAddress::server(0, 0x20, 2), {FrameType::dm, 0, 0, true})},
};

}  // namespace

TEST_CASE("published frames decode, re-encode to the same octets, and check out bit by bit") {
    for (const auto& v : vectors) {
        INFO(v.name);
        const auto wire = hex(v.wire);

        // Independent checks of the vector itself: length field and check sequences.
        const std::size_t length = static_cast<std::size_t>(wire[1] & 0x07) << 8 | wire[2];
        CHECK(length == wire.size() - 2);
        const std::uint16_t fcs = fcs_bitwise(slice(wire, 1, wire.size() - 3));
        CHECK(wire[wire.size() - 3] == (fcs & 0xFF));
        CHECK(wire[wire.size() - 2] == fcs >> 8);
        if (!v.frame.info.empty()) {
            const std::size_t header = 2 + v.frame.destination.octets + v.frame.source.octets + 1;
            const std::uint16_t hcs = fcs_bitwise(slice(wire, 1, 1 + header));
            CHECK(wire[1 + header] == (hcs & 0xFF));
            CHECK(wire[2 + header] == hcs >> 8);
        }

        const auto decoded = decode_frame(wire);
        REQUIRE(decoded);
        CHECK(*decoded == v.frame);
        CHECK(to_text(encode_frame(v.frame)) == to_text(wire));
    }
}

TEST_CASE("the JEMStar's SNRM and a segmented I frame, built and read back") {
    // Client 16 to the management LD at physical ID 100, proposing the defaults.
    HdlcFrame snrm_frame = make(HdlcAddress::server(1, 100), HdlcAddress::client(16), snrm);
    snrm_frame.info = encode_parameters({});
    const auto wire = encode_frame(snrm_frame);
    const auto header = hex("7E A0 21 00 02 00 C9 21 93");
    REQUIRE(wire.size() == 0x21 + 2);
    CHECK(slice(wire, 0, header.size()) == header);
    const std::uint16_t hcs = fcs_bitwise(slice(wire, 1, 9));
    CHECK(wire[9] == (hcs & 0xFF));
    CHECK(wire[10] == hcs >> 8);
    // The same parameters after the same HCS-checked header give the FCS of the published
    // UA above: the CRC register is in the same state after any header and its HCS.
    CHECK(to_text(slice(wire, wire.size() - 3, wire.size())) == "53 3B 7E");
    CHECK(decode_frame(wire) == snrm_frame);

    HdlcFrame seg = make(HdlcAddress::client(16), HdlcAddress::server(1, 100), {FrameType::i, 3, 2, false}, "01 02 03");
    seg.segmented = true;
    const auto seg_wire = encode_frame(seg);
    CHECK(seg_wire[1] == 0xA8);  // the S bit
    CHECK(seg_wire[2] == 0x0F);
    CHECK(decode_frame(seg_wire) == seg);
}

TEST_CASE("frame length limits and overhead") {
    const auto server = HdlcAddress::server(1, 100);
    const auto client = HdlcAddress::client(16);
    CHECK(frame_overhead(server, client) == 14);
    CHECK(frame_overhead(HdlcAddress::server(1, 0, 1), client) == 11);
    CHECK_THROWS_AS(frame_overhead(HdlcAddress{1, 0, 3}, client), std::invalid_argument);

    const std::size_t max_info = max_hdlc_frame_length + 2 - frame_overhead(server, client);
    CHECK(max_info == 2035);
    HdlcFrame big = make(server, client, {FrameType::i, 0, 0, true});
    big.info.assign(max_info, 0x7E);  // flags all through: only the length counts
    const auto wire = encode_frame(big);
    CHECK(wire.size() == 2049);
    CHECK(wire[1] == 0xA7);
    CHECK(wire[2] == 0xFF);
    CHECK(decode_frame(wire) == big);

    big.info.push_back(0);
    CHECK_THROWS_AS(encode_frame(big), std::invalid_argument);
    big.info.pop_back();
    big.destination = HdlcAddress{1, 0, 3};
    CHECK_THROWS_AS(encode_frame(big), std::invalid_argument);
}

TEST_CASE("decode_frame rejects anything but exactly one good frame") {
    const auto good = hex("7E A0 19 03 41 B2 32 39 E6 E6 00 C0 01 C1 00 0F 00 00 28 00 00 FF 01 00 F9 79 7E");
    REQUIRE(decode_frame(good));

    for (std::size_t cut = 0; cut < good.size(); ++cut) CHECK_FALSE(decode_frame(slice(good, 0, cut)));
    auto longer = good;
    longer.push_back(0x7E);
    CHECK_FALSE(decode_frame(longer));

    // Every single-bit error anywhere between the flags is caught.
    for (std::size_t at = 1; at + 1 < good.size(); ++at)
        for (int bit = 0; bit < 8; ++bit) {
            auto bad = good;
            bad[at] = static_cast<std::uint8_t>(bad[at] ^ (1 << bit));
            INFO("octet " << at << " bit " << bit);
            CHECK_FALSE(decode_frame(bad));
        }

    CHECK_FALSE(decode_frame(hex("7E A0 07 03 21 93 0F 01 00")));  // no closing flag
    CHECK_FALSE(decode_frame(hex("00 A0 07 03 21 93 0F 01 7E")));  // no opening flag
    // Good check sequences around a control field DLMS does not use (REJ).
    HdlcFrame rej = make(HdlcAddress::server(1, 0, 1), HdlcAddress::client(16), {FrameType::rr, 0, 0, true});
    auto wire = encode_frame(rej);
    wire[5] = 0x19;
    const std::uint16_t fcs = fcs16(slice(wire, 1, 6));
    wire[6] = static_cast<std::uint8_t>(fcs & 0xFF);
    wire[7] = static_cast<std::uint8_t>(fcs >> 8);
    CHECK_FALSE(decode_frame(wire));
}

TEST_CASE("describe gives one trace line") {
    HdlcFrame f = make(HdlcAddress::server(1, 100), HdlcAddress::client(16), {FrameType::i, 1, 2, true});
    f.segmented = true;
    f.info.assign(37, 0);
    CHECK(describe(f) == "I N(S)=1 N(R)=2 P dst=00 02 00 C9 src=21 seg info=37");

    CHECK(describe(make(HdlcAddress::server(1, 0, 1), HdlcAddress::client(16), snrm)) ==
          "SNRM P dst=03 src=21 info=0");
    CHECK(describe(make(HdlcAddress::client(16), HdlcAddress::server(1, 100), {FrameType::rr, 0, 5, false})) ==
          "RR N(R)=5 dst=21 src=00 02 00 C9 info=0");
    CHECK(describe(make(HdlcAddress{1, 0, 3}, HdlcAddress::client(200), ua)) == "UA P dst=? src=? info=0");
}
