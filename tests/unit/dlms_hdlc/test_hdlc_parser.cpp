// The streaming HDLC parser: frames however the line splits them, noise, damaged frames,
// flags shared or not, and a buffer that stays bounded.
#include <catch2/catch.hpp>

#include <random>

#include "gridgate/dlms/hdlc.hpp"
#include "hdlc_test.hpp"

using namespace gridgate::dlms;
using gridgate::dlms::test::hex;
using gridgate::dlms::test::slice;

namespace {

// SNRM (client 16 to server 1), the Green Book AARQ whose HCS is 7E CB, and a GET.
const char* const snrm_wire = "7E A0 07 03 21 93 0F 01 7E";
const char* const aarq_wire =
    "7E A0 2E 00 02 00 23 21 10 7E CB E6 E6 00 60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 "
    "5F 1F 04 00 00 30 1D FF FF D4 C5 7E";
const char* const get_wire = "7E A0 19 03 41 B2 32 39 E6 E6 00 C0 01 C1 00 0F 00 00 28 00 00 FF 01 00 F9 79 7E";

std::vector<std::uint8_t> cat(std::initializer_list<std::vector<std::uint8_t>> parts) {
    std::vector<std::uint8_t> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// The frame without its closing flag, for streams where one flag closes and opens.
std::vector<std::uint8_t> open_only(const char* wire) {
    auto v = hex(wire);
    v.pop_back();
    return v;
}

std::vector<HdlcFrame> decoded(std::initializer_list<const char*> wires) {
    std::vector<HdlcFrame> out;
    for (const char* w : wires) out.push_back(*decode_frame(hex(w)));
    return out;
}

// A frame with 1-octet addresses and info, given another length field and the HCS to
// match it: what a sender that miscounted would send.
std::vector<std::uint8_t> with_length(std::vector<std::uint8_t> wire, std::uint8_t length) {
    wire[2] = length;
    const std::uint16_t hcs = fcs16(slice(wire, 1, 6));
    wire[6] = static_cast<std::uint8_t>(hcs & 0xFF);
    wire[7] = static_cast<std::uint8_t>(hcs >> 8);
    return wire;
}

std::vector<HdlcFrame> feed_all(HdlcParser& p, const std::vector<std::uint8_t>& bytes) { return p.feed(bytes); }

std::vector<HdlcFrame> feed_in_pieces(HdlcParser& p, const std::vector<std::uint8_t>& bytes, std::size_t piece) {
    std::vector<HdlcFrame> out;
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
        const auto got = p.feed(std::span<const std::uint8_t>(bytes).subspan(at, std::min(piece, bytes.size() - at)));
        out.insert(out.end(), got.begin(), got.end());
    }
    return out;
}

}  // namespace

TEST_CASE("several frames in one feed, flags separate or shared") {
    const auto expected = decoded({snrm_wire, aarq_wire, get_wire});

    SECTION("separate flags") {
        HdlcParser p;
        CHECK(feed_all(p, cat({hex(snrm_wire), hex(aarq_wire), hex(get_wire)})) == expected);
        CHECK(p.stats().frames == 3);
        CHECK(p.stats().discarded_octets == 0);
    }
    SECTION("shared flags") {
        HdlcParser p;
        CHECK(feed_all(p, cat({open_only(snrm_wire), open_only(aarq_wire), hex(get_wire)})) == expected);
        CHECK(p.stats().frames == 3);
    }
    SECTION("runs of fill flags") {
        HdlcParser p;
        CHECK(feed_all(p, cat({hex("7E 7E 7E"), hex(snrm_wire), hex("7E 7E"), hex(aarq_wire), hex(get_wire),
                               hex("7E")})) == expected);
        CHECK(p.stats().discarded_octets == 0);
        CHECK(p.stats().malformed == 0);
    }
}

TEST_CASE("a frame split across feeds at every position gives the same frames") {
    const auto stream = cat({hex("11 22"), open_only(snrm_wire), hex(aarq_wire), hex("33"), hex(get_wire)});
    const auto expected = decoded({snrm_wire, aarq_wire, get_wire});
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        for (std::size_t cut2 = cut; cut2 <= stream.size(); cut2 += 7) {
            HdlcParser p;
            std::vector<HdlcFrame> got = p.feed(slice(stream, 0, cut));
            const auto b = p.feed(slice(stream, cut, cut2));
            const auto c = p.feed(slice(stream, cut2, stream.size()));
            got.insert(got.end(), b.begin(), b.end());
            got.insert(got.end(), c.begin(), c.end());
            INFO("cuts at " << cut << " and " << cut2);
            CHECK(got == expected);
            CHECK(p.stats().discarded_octets == 3);
        }
    }
    HdlcParser one_by_one;
    CHECK(feed_in_pieces(one_by_one, stream, 1) == expected);
}

TEST_CASE("garbage before and between frames is counted and dropped") {
    HdlcParser p;
    const auto stream = cat({hex("00 FF 55 AA"), hex(snrm_wire), hex("01 02 03"), hex(get_wire), hex("99")});
    CHECK(feed_all(p, stream) == decoded({snrm_wire, get_wire}));
    CHECK(p.stats().discarded_octets == 8);
    CHECK(p.stats().malformed == 0);
    CHECK(p.buffered() == 0);

    // A flag followed by something that is not a format field is noise, not a frame.
    HdlcParser q;
    CHECK(feed_all(q, cat({hex("7E 12 7E 00"), hex(snrm_wire)})) == decoded({snrm_wire}));
    CHECK(q.stats().discarded_octets == 2);
}

TEST_CASE("a corrupt HCS or FCS is counted and the parser finds the next frame") {
    SECTION("HCS") {
        auto bad = hex(aarq_wire);
        bad[9] ^= 0x01;  // HCS 7E CB -> 7F CB
        HdlcParser p;
        CHECK(feed_all(p, cat({bad, hex(get_wire)})) == decoded({get_wire}));
        CHECK(p.stats().hcs_errors == 1);
        CHECK(p.stats().fcs_errors == 0);
    }
    SECTION("FCS") {
        auto bad = hex(get_wire);
        bad[15] ^= 0x40;  // an info octet
        HdlcParser p;
        CHECK(feed_all(p, cat({bad, hex(snrm_wire), bad, hex(get_wire)})) == decoded({snrm_wire, get_wire}));
        CHECK(p.stats().fcs_errors == 2);
        CHECK(p.stats().hcs_errors == 0);
    }
    SECTION("FCS of a frame without info, sharing its flags") {
        auto bad = open_only(snrm_wire);
        bad[6] ^= 0xFF;
        HdlcParser p;
        CHECK(feed_all(p, cat({bad, open_only(get_wire), hex(snrm_wire)})) == decoded({get_wire, snrm_wire}));
        CHECK(p.stats().fcs_errors == 1);
    }
}

TEST_CASE("a length that does not match the closing flag is malformed") {
    // The HCS covers the length, so these are frames a sender got wrong, not line damage.
    SECTION("length too long: the frame runs into the next one") {
        const auto bad = with_length(hex(get_wire), 0x1B);
        HdlcParser p;
        CHECK(feed_all(p, cat({bad, hex(snrm_wire)})) == decoded({snrm_wire}));
        CHECK(p.stats().malformed == 1);
        CHECK(p.stats().hcs_errors == 0);
    }
    SECTION("length too short: no flag where the frame should end") {
        const auto bad = with_length(hex(get_wire), 0x18);
        HdlcParser p;
        CHECK(feed_all(p, cat({bad, hex(snrm_wire)})) == decoded({snrm_wire}));
        CHECK(p.stats().malformed == 1);
        CHECK(p.stats().hcs_errors == 0);
    }
    SECTION("length one too long, ending on the next frame's opening flag: the FCS catches it") {
        const auto bad = with_length(hex(get_wire), 0x1A);
        HdlcParser p;
        CHECK(feed_all(p, cat({bad, hex(snrm_wire)})) == decoded({snrm_wire}));
        CHECK(p.stats().fcs_errors == 1);
    }
    SECTION("lengths below the minimum or too small for the addresses") {
        for (const char* wire : {"7E A0 00 7E", "7E A0 06 03 21 93 0F 7E", "7E A0 08 00 02 00 23 21 93 7E",
                                 "7E A0 08 03 21 10 00 00 AA 7E", "7E A0 09 03 21 10 00 00 AA BB 7E"}) {
            INFO(wire);
            HdlcParser p;
            CHECK(feed_all(p, cat({hex(wire), hex(snrm_wire)})) == decoded({snrm_wire}));
            CHECK(p.stats().malformed == 1);
        }
    }
    SECTION("a 3-octet address") {
        HdlcParser p;
        CHECK(feed_all(p, cat({hex("7E A0 0A 00 02 01 21 93 00 00 7E"), hex(snrm_wire)})) == decoded({snrm_wire}));
        CHECK(p.stats().malformed == 1);
    }
}

TEST_CASE("noise that looks like a frame start does not swallow the frame behind it") {
    // "7E A7 FF" claims 2047 octets; without rescanning, the real frame would be lost in it.
    HdlcParser p;
    CHECK(feed_all(p, cat({hex("7E A7 FF 00 00"), hex(snrm_wire)})) == decoded({snrm_wire}));
    CHECK(p.stats().malformed == 1);

    // A damaged frame whose info holds a whole good frame: the inner frame is found.
    auto inner = hex(snrm_wire);
    HdlcFrame outer;
    outer.destination = HdlcAddress::server(1, 0, 1);
    outer.source = HdlcAddress::client(16);
    outer.info = inner;
    auto wire = encode_frame(outer);
    wire[wire.size() - 2] ^= 0x01;
    HdlcParser q;
    CHECK(feed_all(q, wire) == decoded({snrm_wire}));
    CHECK(q.stats().fcs_errors == 1);
}

TEST_CASE("a frame with a control field DLMS does not use is malformed") {
    auto rej = hex("7E A0 07 03 21 19 00 00 7E");
    const std::uint16_t fcs = fcs16(slice(rej, 1, 6));
    rej[6] = static_cast<std::uint8_t>(fcs & 0xFF);
    rej[7] = static_cast<std::uint8_t>(fcs >> 8);
    HdlcParser p;
    CHECK(feed_all(p, cat({rej, hex(snrm_wire)})) == decoded({snrm_wire}));
    CHECK(p.stats().malformed == 1);
    CHECK(p.stats().fcs_errors == 0);
}

TEST_CASE("the largest frame passes and the buffer stays bounded") {
    HdlcFrame big;
    big.destination = HdlcAddress::server(1, 100);
    big.source = HdlcAddress::client(16);
    big.info.assign(2035, 0x7E);
    const auto wire = encode_frame(big);
    HdlcParser p;
    const auto got = feed_in_pieces(p, cat({wire, wire}), 100);
    REQUIRE(got.size() == 2);
    CHECK(got[0] == big);
    CHECK(got[1] == big);

    // Junk without flags is dropped as it comes.
    HdlcParser q;
    std::vector<std::uint8_t> junk(100000, 0x55);
    CHECK(q.feed(junk).empty());
    CHECK(q.buffered() == 0);
    CHECK(q.stats().discarded_octets == junk.size());

    // Headers that pass every early check, then junk: never more than one frame is held.
    std::mt19937 rng(62056);
    HdlcParser r;
    std::size_t most = 0;
    for (int round = 0; round < 20; ++round) {
        std::vector<std::uint8_t> chunk = slice(wire, 0, 11);  // through the HCS
        for (int i = 0; i < 3000; ++i) chunk.push_back(static_cast<std::uint8_t>(rng() % 0x7E));
        for (std::size_t at = 0; at < chunk.size(); at += 50) {
            r.feed(slice(chunk, at, std::min(chunk.size(), at + 50)));
            most = std::max(most, r.buffered());
        }
    }
    CHECK(most <= max_hdlc_frame_length + 2);
    CHECK(r.stats().frames == 0);
    CHECK(r.stats().malformed == 20);  // each closing "flag" was not one
}

TEST_CASE("reset drops a partial frame") {
    HdlcParser p;
    const auto get = hex(get_wire);
    CHECK(p.feed(slice(get, 0, 10)).empty());
    CHECK(p.buffered() == 10);
    p.reset();
    CHECK(p.buffered() == 0);
    CHECK(p.feed(slice(get, 10, get.size())).empty());
    CHECK(feed_all(p, hex(snrm_wire)) == decoded({snrm_wire}));
}

TEST_CASE("random frames and noise: the same frames however the stream is cut") {
    std::mt19937 rng(4659);
    for (int round = 0; round < 200; ++round) {
        std::vector<std::uint8_t> stream;
        std::vector<HdlcFrame> sent;
        const int n = 1 + static_cast<int>(rng() % 6);
        for (int k = 0; k < n; ++k) {
            HdlcFrame f;
            f.destination = rng() % 2 ? HdlcAddress::server(1, static_cast<std::uint16_t>(rng() % 0x4000))
                                      : HdlcAddress::client(static_cast<std::uint8_t>(rng() % 0x80));
            f.source = HdlcAddress::client(static_cast<std::uint8_t>(rng() % 0x80));
            f.control = {FrameType::i, static_cast<std::uint8_t>(rng() % 8), static_cast<std::uint8_t>(rng() % 8),
                         rng() % 2 == 0};
            f.segmented = rng() % 2 == 0;
            f.info.resize(rng() % 300);
            for (auto& b : f.info) b = static_cast<std::uint8_t>(rng() % 4 == 0 ? 0x7E : rng());
            auto wire = encode_frame(f);
            if (rng() % 3 == 0 && !stream.empty() && stream.back() == 0x7E) wire.erase(wire.begin());
            stream.insert(stream.end(), wire.begin(), wire.end());
            sent.push_back(f);
            // Noise between frames that holds no flag, so it cannot eat the next one.
            for (std::size_t j = rng() % 5; j > 0; --j) stream.push_back(static_cast<std::uint8_t>(rng() % 0x7E));
        }
        HdlcParser whole;
        const auto a = whole.feed(stream);
        CHECK(a == sent);
        HdlcParser pieces;
        CHECK(feed_in_pieces(pieces, stream, 1 + rng() % 40) == sent);
        CHECK(pieces.stats().discarded_octets == whole.stats().discarded_octets);
    }
}
