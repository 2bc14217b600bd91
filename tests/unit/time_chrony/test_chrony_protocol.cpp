// The TRACKING request and reply of chrony's cmdmon protocol, octet by octet.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "gridgate/time/chrony_protocol.hpp"

using namespace gridgate::timesync;

namespace {

std::vector<std::byte> bytes(std::initializer_list<unsigned> octets) {
    std::vector<std::byte> out;
    for (const unsigned o : octets) out.push_back(static_cast<std::byte>(o));
    return out;
}

void append(std::vector<std::byte>& v, const std::vector<std::byte>& more) {
    v.insert(v.end(), more.begin(), more.end());
}

// Reply header: version 6, type 2, command 33, reply 5, status, sequence 0x01020304.
std::vector<std::byte> header(unsigned status = 0, unsigned version = 6) {
    return bytes({version, 2, 0, 0, 0, 33, 0, 5, status >> 8, status & 0xff, 0, 0, 0, 0, 0, 0,
                  0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 0});
}

// TRACKING data as chronyd 4.3 sends it when synchronised to 127.0.0.1 at stratum 9.
std::vector<std::byte> ntp_tracking_data() {
    auto d = bytes({0x7F, 0x00, 0x00, 0x01,                   // ref_id
                    127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,     // address (IPv4 in the first 4)
                    0, 0, 0, 0,                               //   ...16 octets in all
                    0x00, 0x01, 0x00, 0x00,                   // family 1 (IPv4), pad
                    0x00, 0x09, 0x00, 0x00,                   // stratum 9, leap 0
                    0x00, 0x00, 0x00, 0x00,                   // ref time: seconds high
                    0x6B, 0x01, 0x67, 0xC1,                   //   seconds low 1795254209
                    0x13, 0x5B, 0xDF, 0x0C});                 //   ns 324787980
    append(d, bytes({0xFE, 0x00, 0x00, 0x03,    // current correction 3 * 2^-26
                     0x05, 0x80, 0x00, 0x00,    // last offset -1.0
                     0x02, 0x80, 0x00, 0x00,    // rms offset 0.5
                     0x04, 0x80, 0x00, 0x00,    // freq 1.0 ppm
                     0x01, 0xFF, 0xFF, 0xFF,    // resid freq -2^-25 ppm
                     0x02, 0x80, 0x00, 0x00,    // skew 0.5 ppm
                     0x04, 0x80, 0x00, 0x00,    // root delay 1.0 s
                     0x02, 0x80, 0x00, 0x00,    // root dispersion 0.5 s
                     0x0A, 0x80, 0x00, 0x00})); // update interval: exponent 5, 2^23 -> 8 s
    return d;
}

std::vector<std::byte> reply_with(std::vector<std::byte> data, unsigned status = 0) {
    auto r = header(status);
    append(r, data);
    return r;
}

}  // namespace

TEST_CASE("the TRACKING request is padded to the reply's length", "[chrony][protocol]") {
    const auto request = encode_tracking_request(0xA1B2C3D4u, 1);
    REQUIRE(request.size() == 104);
    const auto expected_head = bytes({6, 1, 0, 0, 0, 33, 0, 1, 0xA1, 0xB2, 0xC3, 0xD4, 0, 0, 0, 0, 0, 0, 0, 0});
    CHECK(std::vector<std::byte>(request.begin(), request.begin() + 20) == expected_head);
    for (std::size_t i = 20; i < request.size(); ++i) CHECK(request[i] == std::byte{0});
}

TEST_CASE("a hand-built TRACKING reply decodes field by field", "[chrony][protocol]") {
    const auto datagram = reply_with(ntp_tracking_data());
    REQUIRE(datagram.size() == 104);
    const auto r = parse_tracking_reply(datagram, 0x01020304u);
    REQUIRE(r.error == ReplyError::none);
    REQUIRE(r.tracking);
    const ChronyTracking& t = *r.tracking;
    CHECK(t.ref_id == 0x7F000001u);
    CHECK(t.ref_ip == "127.0.0.1");
    CHECK(t.reference_name() == "127.0.0.1");
    CHECK(t.stratum == 9);
    CHECK(t.leap_status == chrony::leap_normal);
    CHECK(t.ref_time_us == 1'795'254'209'324'787);
    CHECK(t.current_correction_s == std::ldexp(3.0, -26));
    CHECK(t.last_offset_s == -1.0);
    CHECK(t.rms_offset_s == 0.5);
    CHECK(t.freq_ppm == 1.0);
    CHECK(t.resid_freq_ppm == -std::ldexp(1.0, -25));
    CHECK(t.skew_ppm == 0.5);
    CHECK(t.root_delay_s == 1.0);
    CHECK(t.root_dispersion_s == 0.5);
    CHECK(t.root_distance_s() == 1.0);
    CHECK(t.last_update_interval_s == 8.0);
}

TEST_CASE("reference names: refclock refids, IPv6 sources, none", "[chrony][protocol]") {
    auto data = ntp_tracking_data();
    SECTION("a GPS refclock: refid 'GPS\\0', family unspecified") {
        data[0] = std::byte{'G'}, data[1] = std::byte{'P'}, data[2] = std::byte{'S'}, data[3] = std::byte{0};
        data[20] = data[21] = std::byte{0};
        const auto r = parse_tracking_reply(reply_with(data), 0x01020304u);
        REQUIRE(r.tracking);
        CHECK(r.tracking->ref_ip.empty());
        CHECK(r.tracking->reference_name() == "GPS");
    }
    SECTION("a PPS refclock uses all four characters") {
        data[0] = std::byte{'P'}, data[1] = std::byte{'P'}, data[2] = std::byte{'S'}, data[3] = std::byte{'1'};
        data[21] = std::byte{0};
        const auto r = parse_tracking_reply(reply_with(data), 0x01020304u);
        REQUIRE(r.tracking);
        CHECK(r.tracking->reference_name() == "PPS1");
    }
    SECTION("an IPv6 server") {
        const auto v6 = bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7b});
        std::copy(v6.begin(), v6.end(), data.begin() + 4);
        data[21] = std::byte{2};
        const auto r = parse_tracking_reply(reply_with(data), 0x01020304u);
        REQUIRE(r.tracking);
        CHECK(r.tracking->reference_name() == "2001:db8::7b");
    }
    SECTION("unsynchronised: refid 0, nothing to name") {
        std::fill(data.begin(), data.begin() + 24, std::byte{0});
        data[27] = std::byte{3};
        const auto r = parse_tracking_reply(reply_with(data), 0x01020304u);
        REQUIRE(r.tracking);
        CHECK(r.tracking->reference_name().empty());
        CHECK(r.tracking->leap_status == chrony::leap_unsynchronised);
    }
}

TEST_CASE("encode_tracking_reply is the inverse of the parser", "[chrony][protocol]") {
    // Not octet for octet: floats may normalise differently and nanoseconds become µs.
    const auto original = parse_tracking_reply(reply_with(ntp_tracking_data()), 0x01020304u);
    REQUIRE(original.tracking);
    const auto encoded = encode_tracking_reply(*original.tracking, 0x01020304u);
    CHECK(encoded.size() == 104);
    const auto again = parse_tracking_reply(encoded, 0x01020304u);
    REQUIRE(again.tracking);
    CHECK(*again.tracking == *original.tracking);
}

TEST_CASE("replies that are not the answer are refused, with the reason", "[chrony][protocol]") {
    const auto good = reply_with(ntp_tracking_data());
    SECTION("shorter than a header") {
        const auto r = parse_tracking_reply(std::span(good).first(27), 0x01020304u);
        CHECK(r.error == ReplyError::too_short);
        CHECK_FALSE(r.tracking);
    }
    SECTION("a header but truncated data") {
        CHECK(parse_tracking_reply(std::span(good).first(103), 0x01020304u).error == ReplyError::too_short);
        CHECK(parse_tracking_reply(std::span(good).first(28), 0x01020304u).error == ReplyError::too_short);
    }
    SECTION("wrong protocol version") {
        auto bad = good;
        bad[0] = std::byte{5};
        const auto r = parse_tracking_reply(bad, 0x01020304u);
        CHECK(r.error == ReplyError::wrong_version);
        CHECK(r.detail == "protocol version 5, expected 6");
    }
    SECTION("a request, not a reply") {
        auto bad = good;
        bad[1] = std::byte{1};
        CHECK(parse_tracking_reply(bad, 0x01020304u).error == ReplyError::wrong_packet_type);
    }
    SECTION("another command") {
        auto bad = good;
        bad[5] = std::byte{14};
        CHECK(parse_tracking_reply(bad, 0x01020304u).error == ReplyError::wrong_command);
    }
    SECTION("another sequence number") {
        const auto r = parse_tracking_reply(good, 0x01020305u);
        CHECK(r.error == ReplyError::wrong_sequence);
        CHECK_FALSE(r.tracking);
    }
    SECTION("an error status in a header-only reply") {
        auto bad = header(2);  // STT_UNAUTH
        bad[7] = std::byte{1};  // RPY_NULL
        const auto r = parse_tracking_reply(bad, 0x01020304u);
        CHECK(r.error == ReplyError::error_status);
        CHECK(r.status == 2);
        CHECK(r.detail == "chronyd status 2 (unauthorised)");
    }
    SECTION("success but another reply code") {
        auto bad = good;
        bad[7] = std::byte{1};
        CHECK(parse_tracking_reply(bad, 0x01020304u).error == ReplyError::wrong_reply_code);
    }
    SECTION("longer than needed is fine (future fields)") {
        auto longer = good;
        longer.resize(140, std::byte{0xEE});
        CHECK(parse_tracking_reply(longer, 0x01020304u).error == ReplyError::none);
    }
}
