// Data link layer: CRC, frame encoding, the one-frame parser and the streaming parser.
#include <catch2/catch.hpp>

#include <numeric>
#include <random>

#include "codec_test.hpp"
#include "gridgate/dnp3/link.hpp"

using namespace gridgate::dnp3;
using gridgate::dnp3::test::hex;

namespace {

// The CRC the slow way, bit by bit as IEEE 1815 describes the shift register, to check the
// table-driven one against something written separately.
std::uint16_t crc_bitwise(const std::vector<std::uint8_t>& data) {
    std::uint16_t crc = 0;
    for (const std::uint8_t b : data) {
        crc ^= b;
        for (int i = 0; i < 8; ++i) crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA6BC) : crc >> 1;
    }
    return static_cast<std::uint16_t>(~crc);
}

std::vector<std::uint8_t> pattern(std::size_t n, std::uint8_t seed = 0) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 7);
    return v;
}

// Read class 0 from master 1 to outstation 10, built by hand: LEN 0x0B = 5 + 6 octets of
// user data (transport C0, application C0 01 3C 01 06); CRCs computed independently.
const char* const class0_read_frame = "05 64 0B C4 0A 00 01 00 AC D1 C0 C0 01 3C 01 06 FF 50";
// A response from outstation 10 to master 1 that needs two data blocks: transport C5,
// application C3 81 00 00, g30v3 q00 0..1 = 1000, -2.
const char* const two_block_frame =
    "05 64 17 44 01 00 0A 00 FA 3F C5 C3 81 00 00 1E 03 00 00 01 E8 03 00 00 FE FF DC 3D FF FF 3A 99";

std::vector<LinkFrame> feed_all(LinkParser& p, const std::vector<std::uint8_t>& bytes) {
    std::vector<LinkFrame> out;
    p.feed(bytes, out);
    return out;
}

}  // namespace

TEST_CASE("the DNP3 CRC matches the known vectors") {
    // The link header of RESET_LINK_STATES from master 1024 to outstation 1.
    CHECK(crc16(hex("05 64 05 C0 01 00 00 04")) == 0x21E9);
    // CRC-16/DNP check value of the CRC catalogue ("123456789").
    CHECK(crc16(hex("31 32 33 34 35 36 37 38 39")) == 0xEA82);
    CHECK(crc16({}) == 0xFFFF);

    std::mt19937 rng(7);
    for (int round = 0; round < 200; ++round) {
        std::vector<std::uint8_t> data(rng() % 40);
        for (auto& b : data) b = static_cast<std::uint8_t>(rng());
        CHECK(crc16(data) == crc_bitwise(data));
    }
}

TEST_CASE("link control octets follow the standard's bit layout") {
    CHECK(primary_header(PrimaryFunction::reset_link_states, 1, 1024, true).control() == 0xC0);
    CHECK(primary_header(PrimaryFunction::unconfirmed_user_data, 10, 1, true).control() == 0xC4);
    CHECK(primary_header(PrimaryFunction::unconfirmed_user_data, 1, 10, false).control() == 0x44);
    CHECK(primary_header(PrimaryFunction::confirmed_user_data, 10, 1, true, true, true).control() == 0xF3);
    CHECK(primary_header(PrimaryFunction::request_link_status, 10, 1, true).control() == 0xC9);
    CHECK(secondary_header(SecondaryFunction::ack, 1, 10, false).control() == 0x00);
    CHECK(secondary_header(SecondaryFunction::link_status, 1, 10, false, true).control() == 0x1B);
    CHECK(secondary_header(SecondaryFunction::not_supported, 10, 1, true).control() == 0x8F);
    for (int c = 0; c < 256; ++c) {
        const auto h = LinkHeader::from_control(static_cast<std::uint8_t>(c), 3, 4);
        CHECK(h.control() == c);
    }
}

TEST_CASE("frames encode to hand-built octets and parse back") {
    SECTION("RESET_LINK_STATES, no user data") {
        const auto f = encode_link_frame(primary_header(PrimaryFunction::reset_link_states, 1, 1024, true), {});
        CHECK(f == hex("05 64 05 C0 01 00 00 04 E9 21"));
        const auto parsed = parse_link_frame(f);
        REQUIRE(parsed);
        CHECK(parsed->header.function == 0);
        CHECK(parsed->header.destination == 1);
        CHECK(parsed->header.source == 1024);
        CHECK(parsed->header.dir);
        CHECK(parsed->header.prm);
        CHECK(parsed->user_data.empty());
    }
    SECTION("ACK from an outstation") {
        const auto f = encode_link_frame(secondary_header(SecondaryFunction::ack, 1, 10, false), {});
        CHECK(f == hex("05 64 05 00 01 00 0A 00 2E DD"));
    }
    SECTION("a class 0 read from master 1 to outstation 10") {
        const auto user = hex("C0 C0 01 3C 01 06");
        const auto f = encode_link_frame(primary_header(PrimaryFunction::unconfirmed_user_data, 10, 1, true), user);
        CHECK(f == hex(class0_read_frame));
        const auto parsed = parse_link_frame(hex(class0_read_frame));
        REQUIRE(parsed);
        CHECK(parsed->header == primary_header(PrimaryFunction::unconfirmed_user_data, 10, 1, true));
        CHECK(parsed->user_data == user);
    }
    SECTION("user data over two blocks") {
        const auto parsed = parse_link_frame(hex(two_block_frame));
        REQUIRE(parsed);
        CHECK(parsed->header == primary_header(PrimaryFunction::unconfirmed_user_data, 1, 10, false));
        CHECK(parsed->user_data == hex("C5 C3 81 00 00 1E 03 00 00 01 E8 03 00 00 FE FF FF FF"));
        CHECK(encode_link_frame(parsed->header, parsed->user_data) == hex(two_block_frame));
    }
}

TEST_CASE("frames round-trip at every block boundary") {
    const auto header = primary_header(PrimaryFunction::confirmed_user_data, 0xFFFE, 0x1234, true, true, true);
    for (const std::size_t n : {0u, 1u, 15u, 16u, 17u, 32u, 33u, 249u, 250u}) {
        CAPTURE(n);
        const auto user = pattern(n, static_cast<std::uint8_t>(n));
        const auto wire = encode_link_frame(header, user);
        CHECK(wire.size() == 10 + n + 2 * ((n + 15) / 16));
        CHECK(wire[2] == 5 + n);

        const auto one = parse_link_frame(wire);
        REQUIRE(one);
        CHECK(one->header == header);
        CHECK(one->user_data == user);

        LinkParser p;
        const auto frames = feed_all(p, wire);
        REQUIRE(frames.size() == 1);
        CHECK(frames[0] == *one);
        CHECK_FALSE(p.in_frame());

        // One octet more or less is not exactly one frame.
        auto longer = wire;
        longer.push_back(0);
        CHECK_FALSE(parse_link_frame(longer));
        CHECK_FALSE(parse_link_frame(std::span<const std::uint8_t>(wire).first(wire.size() - 1)));
    }
    CHECK(encode_link_frame(header, pattern(250)).size() == max_link_frame);
    CHECK_THROWS_AS(encode_link_frame(header, pattern(251)), std::invalid_argument);
}

TEST_CASE("every corrupted octet of a frame is rejected") {
    const auto wire = hex(two_block_frame);
    for (std::size_t i = 0; i < wire.size(); ++i) {
        auto bad = wire;
        bad[i] ^= 0x10;
        CAPTURE(i);
        CHECK_FALSE(parse_link_frame(bad));
    }
}

TEST_CASE("the streaming parser skips garbage before a frame") {
    LinkParser p;
    auto bytes = hex("FF 00 05 05 05 00 64 05");
    const auto frame = hex(class0_read_frame);
    bytes.insert(bytes.end(), frame.begin(), frame.end());
    const auto frames = feed_all(p, bytes);
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].user_data == hex("C0 C0 01 3C 01 06"));
    CHECK(p.stats().frames == 1);
    CHECK(p.stats().garbage_bytes == 8);
    CHECK_FALSE(p.in_frame());
}

TEST_CASE("the streaming parser recovers after CRC errors") {
    const auto good = hex(class0_read_frame);
    const auto other = hex(two_block_frame);

    SECTION("header CRC error, next frame in the same chunk") {
        auto bad = good;
        bad[5] ^= 0x01;  // destination high octet
        auto bytes = bad;
        bytes.insert(bytes.end(), other.begin(), other.end());
        LinkParser p;
        const auto frames = feed_all(p, bytes);
        REQUIRE(frames.size() == 1);
        CHECK(frames[0].header.source == 10);
        CHECK(p.stats().header_crc_errors == 1);
        CHECK(p.stats().body_crc_errors == 0);
    }
    SECTION("body CRC error, next frame delivered later") {
        auto bad = other;
        bad[20] ^= 0x80;
        LinkParser p;
        CHECK(feed_all(p, bad).empty());
        CHECK(p.stats().body_crc_errors == 1);
        const auto frames = feed_all(p, good);
        REQUIRE(frames.size() == 1);
        CHECK(frames[0].header.destination == 10);
        CHECK(p.stats().frames == 1);
    }
    SECTION("a frame cut short does not swallow the frame after it") {
        // Octets lost on the line: the first frame's header promises more than arrives, so
        // the next frame is read as its body, fails the CRC and is found again by rescanning.
        auto bytes = std::vector<std::uint8_t>(other.begin(), other.begin() + 14);
        bytes.insert(bytes.end(), good.begin(), good.end());
        bytes.insert(bytes.end(), good.begin(), good.end());
        LinkParser p;
        const auto frames = feed_all(p, bytes);
        CHECK(frames.size() == 2);
        CHECK(p.stats().body_crc_errors == 1);
    }
    SECTION("start octets inside noise are not a frame") {
        auto bytes = hex("05 64 05 C0 01 00 00 04 00 00");  // header CRC wrong
        bytes.insert(bytes.end(), good.begin(), good.end());
        LinkParser p;
        CHECK(feed_all(p, bytes).size() == 1);
        CHECK(p.stats().header_crc_errors == 1);
    }
    SECTION("LEN below 5 is a bad length") {
        auto bytes = hex("05 64 04 C0 01 00 00 04");
        const std::uint16_t crc = crc16(bytes);
        bytes.push_back(static_cast<std::uint8_t>(crc & 0xFF));
        bytes.push_back(static_cast<std::uint8_t>(crc >> 8));
        bytes.insert(bytes.end(), good.begin(), good.end());
        LinkParser p;
        CHECK(feed_all(p, bytes).size() == 1);
        CHECK(p.stats().bad_length == 1);
        CHECK_FALSE(parse_link_frame(std::span<const std::uint8_t>(bytes).first(10)));
    }
}

TEST_CASE("the streaming parser handles delivery byte by byte") {
    std::vector<std::uint8_t> stream;
    std::vector<LinkFrame> expected;
    for (const std::size_t n : {0u, 17u, 250u, 3u}) {
        const auto header = primary_header(PrimaryFunction::unconfirmed_user_data, 10, 1, true);
        const auto user = pattern(n, 0x05);  // start octets inside the user data
        const auto wire = encode_link_frame(header, user);
        stream.insert(stream.end(), wire.begin(), wire.end());
        expected.push_back(LinkFrame{header, user});
    }
    LinkParser p;
    std::vector<LinkFrame> out;
    for (std::size_t i = 0; i < stream.size(); ++i) {
        const std::size_t before = out.size();
        p.feed(std::span<const std::uint8_t>(stream).subspan(i, 1), out);
        // Every octet belongs to a frame: the parser is inside one except right after its last.
        CHECK(p.in_frame() == (out.size() == before));
    }
    CHECK(out == expected);
    CHECK(p.stats().garbage_bytes == 0);

    // And in chunks of every size from 2 to 40.
    for (std::size_t chunk = 2; chunk <= 40; ++chunk) {
        LinkParser q;
        std::vector<LinkFrame> frames;
        for (std::size_t at = 0; at < stream.size(); at += chunk)
            q.feed(std::span<const std::uint8_t>(stream).subspan(at, std::min(chunk, stream.size() - at)), frames);
        CHECK(frames == expected);
    }
}

TEST_CASE("reset drops a partial frame") {
    const auto good = hex(class0_read_frame);
    LinkParser p;
    std::vector<LinkFrame> out;
    p.feed(std::span<const std::uint8_t>(good).first(12), out);
    CHECK(p.in_frame());
    p.reset();
    CHECK_FALSE(p.in_frame());
    p.feed(good, out);
    CHECK(out.size() == 1);
}

TEST_CASE("a long run of start octets and noise never yields a frame or grows without bound") {
    std::mt19937 rng(11);
    LinkParser p;
    std::vector<LinkFrame> out;
    for (int i = 0; i < 2000; ++i) {
        std::vector<std::uint8_t> chunk(1 + rng() % 64);
        for (auto& b : chunk) b = (rng() % 3 == 0) ? 0x05 : (rng() % 2 ? 0x64 : static_cast<std::uint8_t>(rng()));
        p.feed(chunk, out);
    }
    CHECK(out.empty());
    // Whatever state noise left behind, a good frame after a reset is found.
    p.reset();
    p.feed(hex(class0_read_frame), out);
    CHECK(out.size() == 1);
}

TEST_CASE("link headers describe themselves for traces") {
    CHECK(describe(primary_header(PrimaryFunction::unconfirmed_user_data, 1, 3, true), 17) ==
          "PRM UNCONFIRMED_USER_DATA dst=1 src=3 DIR len=17");
    CHECK(describe(secondary_header(SecondaryFunction::link_status, 3, 1, false, true), 0) ==
          "SEC LINK_STATUS dst=3 src=1 DFC len=0");
    CHECK(describe(LinkHeader::from_control(0xF7, 1, 2), 0) == "PRM FUNC_7 dst=1 src=2 DIR FCB FCV len=0");
}
