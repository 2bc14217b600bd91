// The TCP wrapper: header encoding and the streaming parser.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "gridgate/dlms/wrapper.hpp"
#include "hdlc_test.hpp"

using namespace gridgate::dlms;
using gridgate::dlms::test::hex;
using gridgate::dlms::test::slice;
using gridgate::dlms::test::to_text;

namespace {

// A public client's AARQ (client 16 to the management logical device) and the RLRE a
// server sends back, as published with DLMS-over-TCP examples.
const char* const aarq_apdu =
    "60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 1E 5D FF FF";
const char* const aarq_pdu =
    "00 01 00 10 00 01 00 1F 60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 1E 5D FF "
    "FF";
const char* const rlre_pdu = "00 01 00 01 00 10 00 05 63 03 80 01 00";

std::vector<WrapperPdu> feed_in_pieces(WrapperParser& p, const std::vector<std::uint8_t>& bytes, std::size_t piece) {
    std::vector<WrapperPdu> out;
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
        auto got = p.feed(slice(bytes, at, std::min(bytes.size(), at + piece)));
        out.insert(out.end(), got.begin(), got.end());
    }
    return out;
}

}  // namespace

TEST_CASE("wrapper PDUs encode with a big-endian header") {
    CHECK(to_text(encode_wrapper(16, 1, hex(aarq_apdu))) == to_text(hex(aarq_pdu)));
    CHECK(to_text(encode_wrapper(1, 16, hex("63 03 80 01 00"))) == to_text(hex(rlre_pdu)));
    CHECK(to_text(encode_wrapper(0x1234, 0xABCD, {})) == "00 01 12 34 AB CD 00 00");

    const std::vector<std::uint8_t> largest(65535, 0xC4);
    CHECK(encode_wrapper(1, 2, largest).size() == 65543);
    const std::vector<std::uint8_t> too_big(65536, 0xC4);
    CHECK_THROWS_AS(encode_wrapper(1, 2, too_big), std::invalid_argument);
}

TEST_CASE("the wrapper parser finds PDUs however the stream is cut") {
    std::vector<std::uint8_t> stream = hex(aarq_pdu);
    const auto rlre = hex(rlre_pdu);
    stream.insert(stream.end(), rlre.begin(), rlre.end());
    const auto empty = encode_wrapper(7, 8, {});
    stream.insert(stream.end(), empty.begin(), empty.end());
    stream.insert(stream.end(), rlre.begin(), rlre.end());

    const std::vector<WrapperPdu> expected{
        {16, 1, hex(aarq_apdu)}, {1, 16, hex("63 03 80 01 00")}, {7, 8, {}}, {1, 16, hex("63 03 80 01 00")}};

    WrapperParser whole;
    CHECK(whole.feed(stream) == expected);
    CHECK_FALSE(whole.failed());

    for (std::size_t piece = 1; piece <= 20; ++piece) {
        WrapperParser p;
        INFO("pieces of " << piece);
        CHECK(feed_in_pieces(p, stream, piece) == expected);
    }
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        WrapperParser p;
        auto got = p.feed(slice(stream, 0, cut));
        const auto rest = p.feed(slice(stream, cut, stream.size()));
        got.insert(got.end(), rest.begin(), rest.end());
        INFO("cut at " << cut);
        CHECK(got == expected);
    }
}

TEST_CASE("a wrong version or an oversized length fails the stream") {
    SECTION("version") {
        WrapperParser p;
        auto stream = hex(rlre_pdu);
        const auto bad = hex("00 02 00 01 00 10 00 01 00");
        stream.insert(stream.end(), bad.begin(), bad.end());
        const auto got = p.feed(stream);
        REQUIRE(got.size() == 1);  // the good PDU before it still counts
        CHECK(p.failed());
        CHECK(p.error().find("version 2") != std::string::npos);
        CHECK(p.feed(hex(rlre_pdu)).empty());  // nothing after it is trusted
        CHECK(p.failed());

        p.reset();
        CHECK_FALSE(p.failed());
        CHECK(p.feed(hex(rlre_pdu)).size() == 1);
    }
    SECTION("length over the limit, known from the header alone") {
        WrapperParser p(512);
        CHECK(p.feed(hex("00 01 00 01 00 10 02 00")).empty());
        CHECK_FALSE(p.failed());  // 512 is allowed: waiting for it
        WrapperParser q(512);
        CHECK(q.feed(hex("00 01 00 01 00 10 02 01")).empty());
        CHECK(q.failed());
        CHECK(q.error().find("513") != std::string::npos);
    }
    SECTION("a header cut short is kept, not judged") {
        WrapperParser p;
        CHECK(p.feed(hex("00")).empty());
        CHECK(p.feed(hex("02 00")).empty());
        CHECK_FALSE(p.failed());
        CHECK(p.feed(hex("01 00 10 00 00")).empty());
        CHECK(p.failed());
    }
}
