// Transport function: segmentation of fragments and reassembly of segments.
#include <catch2/catch.hpp>

#include "codec_test.hpp"
#include "gridgate/dnp3/transport.hpp"

using namespace gridgate::dnp3;
using gridgate::dnp3::test::hex;

namespace {

std::vector<std::uint8_t> pattern(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 13 + 1);
    return v;
}

using Segments = std::vector<std::vector<std::uint8_t>>;
using R = Reassembler::Result;

}  // namespace

TEST_CASE("transport header octets") {
    CHECK(TransportHeader{true, true, 0}.encode() == 0xC0);
    CHECK(TransportHeader{false, true, 5}.encode() == 0x45);
    CHECK(TransportHeader{true, false, 63}.encode() == 0xBF);
    CHECK(TransportHeader{false, false, 64}.encode() == 0x00);  // SEQ is 6 bits
    for (int o = 0; o < 256; ++o) CHECK(TransportHeader::decode(static_cast<std::uint8_t>(o)).encode() == o);
}

TEST_CASE("fragments are cut into segments of at most 249 octets") {
    struct Case {
        std::size_t size;
        std::size_t segments;
        std::size_t last;
    };
    for (const Case c : {Case{1, 1, 1}, Case{249, 1, 249}, Case{250, 2, 1}, Case{498, 2, 249}, Case{2048, 9, 56}}) {
        CAPTURE(c.size);
        const auto fragment = pattern(c.size);
        std::uint8_t seq = 62;
        const Segments segments = segment_fragment(fragment, seq);
        REQUIRE(segments.size() == c.segments);
        CHECK(seq == (62 + c.segments) % 64);
        std::vector<std::uint8_t> joined;
        for (std::size_t i = 0; i < segments.size(); ++i) {
            const auto h = TransportHeader::decode(segments[i][0]);
            CHECK(h.fir == (i == 0));
            CHECK(h.fin == (i + 1 == segments.size()));
            CHECK(h.seq == (62 + i) % 64);  // wraps 63 -> 0
            CHECK(segments[i].size() == 1 + (i + 1 == segments.size() ? c.last : 249));
            joined.insert(joined.end(), segments[i].begin() + 1, segments[i].end());
        }
        CHECK(joined == fragment);

        Reassembler r;
        for (std::size_t i = 0; i < segments.size(); ++i)
            CHECK(r.push(segments[i]) == (i + 1 == segments.size() ? R::complete : R::incomplete));
        CHECK(r.take() == fragment);
        CHECK(r.stats().fragments == 1);
        CHECK(r.stats().segments == segments.size());
    }
    std::uint8_t seq = 0;
    CHECK_THROWS_AS(segment_fragment({}, seq), std::invalid_argument);
}

TEST_CASE("a single hand-written segment") {
    Reassembler r;
    CHECK(r.push(hex("C7 C0 01 3C 01 06")) == R::complete);
    CHECK(r.take() == hex("C0 01 3C 01 06"));
}

TEST_CASE("reassembly discards what IEEE 1815 says to discard") {
    std::uint8_t seq = 10;
    const auto fragment = pattern(600);
    const Segments s = segment_fragment(fragment, seq);  // three segments, SEQ 10, 11, 12
    REQUIRE(s.size() == 3);
    Reassembler r;

    SECTION("a lost segment loses the fragment; the next one arrives whole") {
        CHECK(r.push(s[0]) == R::incomplete);
        CHECK(r.push(s[2]) == R::discarded);
        CHECK(r.stats().discarded_segments == 1);
        CHECK(r.stats().fragments == 0);
        for (const auto& seg : segment_fragment(fragment, seq)) r.push(seg);
        CHECK(r.take() == fragment);
    }
    SECTION("a duplicated segment (link retry) is ignored") {
        CHECK(r.push(s[0]) == R::incomplete);
        CHECK(r.push(s[1]) == R::incomplete);
        CHECK(r.push(s[1]) == R::duplicate);
        CHECK(r.push(s[2]) == R::complete);
        CHECK(r.push(s[2]) == R::duplicate);  // a repeat of the last one delivers nothing new
        CHECK(r.take() == fragment);
        CHECK(r.stats().duplicates == 2);
        CHECK(r.stats().fragments == 1);
    }
    SECTION("out of order segments lose the fragment") {
        CHECK(r.push(s[0]) == R::incomplete);
        CHECK(r.push(s[2]) == R::discarded);
        CHECK(r.push(s[1]) == R::discarded);  // nothing to continue any more
        CHECK(r.stats().fragments == 0);
        CHECK(r.take().empty());
    }
    SECTION("segments without a first one are discarded") {
        CHECK(r.push(s[1]) == R::discarded);
        CHECK(r.push(s[2]) == R::discarded);
        CHECK(r.stats().discarded_segments == 2);
    }
    SECTION("a new FIR starts over") {
        CHECK(r.push(s[0]) == R::incomplete);
        CHECK(r.push(hex("C0 AA BB")) == R::complete);
        CHECK(r.take() == hex("AA BB"));
    }
    SECTION("a fragment over the limit is discarded") {
        Reassembler small(500);
        CHECK(small.push(s[0]) == R::incomplete);
        CHECK(small.push(s[1]) == R::incomplete);
        CHECK(small.push(s[2]) == R::discarded);
        CHECK(small.stats().discarded_segments == 1);
        CHECK(small.push(hex("C1 01")) == R::complete);
        CHECK(small.take() == hex("01"));
    }
    SECTION("the reference meter's 2048-octet limit") {
        std::uint8_t q = 0;
        for (const auto& seg : segment_fragment(pattern(2049), q)) r.push(seg);
        CHECK(r.stats().fragments == 0);
        CHECK(r.stats().discarded_segments == 1);
    }
    SECTION("empty segments and bare headers are noise") {
        CHECK(r.push({}) == R::discarded);
        CHECK(r.push(hex("C0")) == R::discarded);
        CHECK(r.stats().discarded_segments == 2);
    }
    SECTION("reset forgets the partial fragment and the duplicate check") {
        CHECK(r.push(s[0]) == R::incomplete);
        r.reset();
        CHECK(r.push(s[1]) == R::discarded);
    }
}
