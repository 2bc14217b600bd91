// The simulated meter's HDLC server link layer, frame by frame. The SNRM and AARQ frames
// are the published examples of the DLMS UA's "Examples for DLMS/COSEM information
// exchange" (G. Kmethy): client 16 to logical device 1 at physical address 17. The
// expected frames were worked out by hand with CRC-16/X.25 (checked against those
// examples' own FCS values), not with the codec under test.
#include <catch2/catch.hpp>

#include "dlms_link_helpers.hpp"
#include "gridgate/sim/dlms_hdlc_server.hpp"

using namespace gridgate;
using namespace gridgate::sim;
using namespace dlms_link_test;
using dlms::FrameType;
using dlms::HdlcFrame;

namespace {

constexpr const char* kmethy_snrm = "7E A0 0A 00 02 00 23 21 93 18 71 7E";
constexpr const char* kmethy_aarq =
    "7E A0 2E 00 02 00 23 21 10 7E CB E6 E6 00 60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 "
    "5F 1F 04 00 00 30 1D FF FF D4 C5 7E";
// An AARE accepting the association (max PDU 500), the handler's answer.
constexpr const char* aare =
    "61 29 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 00 A3 05 A1 03 02 01 00 BE 10 04 0E 08 00 06 5F 1F 04 00 "
    "00 30 1D 01 F4 00 07";

DlmsHdlcOptions physical_17() {
    DlmsHdlcOptions o;
    o.physical_id = 17;
    return o;
}

struct Link {
    std::vector<std::pair<std::uint16_t, std::vector<std::uint8_t>>> requests;
    std::vector<std::uint8_t> answer = hex(aare);
    int disconnects = 0;
    SteadyTime now{};
    DlmsHdlcServer server;

    explicit Link(DlmsHdlcOptions options = physical_17())
        : server(
              options,
              [this](std::uint16_t sap, std::span<const std::uint8_t> apdu) {
                  requests.emplace_back(sap, std::vector<std::uint8_t>(apdu.begin(), apdu.end()));
                  return answer;
              },
              [this] { ++disconnects; }) {}

    std::vector<HdlcFrame> feed(const HdlcFrame& f) { return server.on_frame(f, now); }
    std::vector<HdlcFrame> feed_hex(std::string_view text) {
        const auto frames = parse_frames(hex(text));
        REQUIRE(frames.size() == 1);
        return feed(frames[0]);
    }
    // A frame from client 16 to this server.
    HdlcFrame from_client(dlms::HdlcControl control, std::vector<std::uint8_t> info = {}, bool more = false) const {
        return HdlcFrame{server.address(), dlms::HdlcAddress::client(16), control, more, std::move(info)};
    }
    std::vector<HdlcFrame> i_frame(std::uint8_t ns, std::uint8_t nr, std::vector<std::uint8_t> info,
                                   bool more = false, bool poll = true) {
        return feed(from_client({FrameType::i, ns, nr, poll}, std::move(info), more));
    }
    std::vector<HdlcFrame> rr(std::uint8_t nr, FrameType type = FrameType::rr) {
        return feed(from_client({type, 0, nr, true}));
    }
    void connect(const dlms::HdlcParameters& proposal = {}) {
        const auto out = feed(from_client({FrameType::snrm, 0, 0, true}, dlms::encode_parameters(proposal)));
        REQUIRE(out.size() == 1);
        REQUIRE(out[0].control.type == FrameType::ua);
    }
};

std::string encoded(const std::vector<HdlcFrame>& frames) {
    std::vector<std::uint8_t> bytes;
    for (const HdlcFrame& f : frames) {
        const auto one = dlms::encode_frame(f);
        bytes.insert(bytes.end(), one.begin(), one.end());
    }
    return to_hex(bytes);
}

std::vector<std::uint8_t> with_llc(const std::uint8_t (&llc)[3], const std::vector<std::uint8_t>& apdu) {
    std::vector<std::uint8_t> out;
    out.reserve(3 + apdu.size());
    for (const std::uint8_t b : llc) out.push_back(b);
    for (const std::uint8_t b : apdu) out.push_back(b);
    return out;
}

}  // namespace

TEST_CASE("SNRM gets UA with the meter's parameters, then the AARQ reaches the COSEM server",
          "[sim][dlms][hdlc]") {
    Link link;
    CHECK(encoded(link.feed_hex(kmethy_snrm)) ==
          "7E A0 21 21 00 02 00 23 73 4D F2 81 80 12 05 01 80 06 01 80 07 04 00 00 00 01 08 04 00 00 00 01 53 3B 7E");
    CHECK(link.server.connected());
    CHECK(link.server.client_sap() == 16);
    CHECK(link.server.negotiated() == dlms::HdlcParameters{128, 128, 1, 1});

    // I-frame N(S)=0 N(R)=0 P: the APDU without its LLC goes up; the answer comes back as
    // I N(S)=0 N(R)=1 F behind E6 E7 00.
    CHECK(encoded(link.feed_hex(kmethy_aarq)) ==
          "7E A0 3A 21 00 02 00 23 30 99 41 E6 E7 00 61 29 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 00 A3 05 A1 03 "
          "02 01 00 BE 10 04 0E 08 00 06 5F 1F 04 00 00 30 1D 01 F4 00 07 20 9B 7E");
    REQUIRE(link.requests.size() == 1);
    CHECK(link.requests[0].first == 16);
    CHECK(to_hex(link.requests[0].second) ==
          "60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 30 1D FF FF");

    // DISC: UA, the association ends, and the link is back in NDM.
    CHECK(encoded(link.feed_hex("7E A0 0A 00 02 00 23 21 53 14 B7 7E")) == "7E A0 0A 21 00 02 00 23 73 4C E7 7E");
    CHECK(link.disconnects == 1);
    CHECK_FALSE(link.server.connected());
    CHECK(link.server.stats().connects == 1);
    CHECK(link.server.stats().disconnects == 1);
}

TEST_CASE("In NDM only SNRM connects: polled I and RR frames and DISC get DM", "[sim][dlms][hdlc]") {
    Link link;
    const std::string dm = "7E A0 0A 21 00 02 00 23 1F 26 4E 7E";
    CHECK(encoded(link.feed_hex(kmethy_aarq)) == dm);
    CHECK(encoded(link.rr(0)) == dm);
    CHECK(encoded(link.feed_hex("7E A0 0A 00 02 00 23 21 53 14 B7 7E")) == dm);
    CHECK(link.requests.empty());
    CHECK(link.disconnects == 0);
    CHECK(link.server.stats().dm_sent == 3);
    // Not polled: nothing at all. UI and responses from a client: ignored.
    CHECK(link.i_frame(0, 0, with_llc(dlms::llc_request, {0x01}), false, false).empty());
    CHECK(link.feed(link.from_client({FrameType::ui, 0, 0, true}, {0xE6, 0xE6, 0x00})).empty());
    CHECK(link.feed(link.from_client({FrameType::ua, 0, 0, true})).empty());
}

TEST_CASE("Frames for other addresses or from non-client sources are ignored", "[sim][dlms][hdlc]") {
    Link link;
    HdlcFrame snrm = link.from_client({FrameType::snrm, 0, 0, true});
    snrm.destination = dlms::HdlcAddress::server(1, 18);  // another physical device
    CHECK(link.feed(snrm).empty());
    snrm.destination = dlms::HdlcAddress::server(1, 17, 2);  // the 2-octet form of ours: not the configured one
    CHECK(link.feed(snrm).empty());
    snrm.destination = link.server.address();
    snrm.source = dlms::HdlcAddress::server(1, 18);  // a server's address as the source
    CHECK(link.feed(snrm).empty());
    CHECK_FALSE(link.server.connected());
    CHECK(link.server.stats().frames_rx == 1);
    CHECK(link.server.stats().ignored == 1);
}

TEST_CASE("I-frames in sequence; a repeated I-frame gets our last answer again, not a second execution",
          "[sim][dlms][hdlc]") {
    Link link;
    link.connect();
    const auto request = with_llc(dlms::llc_request, hex("C0 01 C1 00 08 00 00 01 00 00 FF 02 00"));
    link.answer = hex("C4 01 C1 00 09 0C 07 EA 0B 15 06 0A 00 00 00 FF C4 00");
    const auto first = link.i_frame(0, 0, request);
    REQUIRE(first.size() == 1);
    CHECK(first[0].control == dlms::HdlcControl{FrameType::i, 0, 1, true});
    CHECK(first[0].info == with_llc(dlms::llc_response, link.answer));

    const auto second = link.i_frame(1, 1, request);
    REQUIRE(second.size() == 1);
    CHECK(second[0].control == dlms::HdlcControl{FrameType::i, 1, 2, true});

    // The client did not get `second` and sends its frame again (same N(S), same N(R)).
    const auto again = link.i_frame(1, 1, request);
    CHECK(again == second);
    CHECK(link.requests.size() == 2);
    CHECK(link.server.stats().repeated_i_frames == 1);
    CHECK(link.server.stats().retransmissions == 1);

    // An RR that acknowledges it gets an RR; one that does not gets it again.
    CHECK(encoded(link.rr(1)) == encoded({second[0]}));
    const auto rr = link.rr(2);
    REQUIRE(rr.size() == 1);
    CHECK(rr[0].control == dlms::HdlcControl{FrameType::rr, 0, 2, true});
    CHECK(link.server.stats().retransmissions == 2);

    // An N(S) out of sequence (frame 2 lost, 3 arrives): dropped, RR says where to resume.
    const auto skipped = link.i_frame(3, 2, request);
    REQUIRE(skipped.size() == 1);
    CHECK(skipped[0].control == dlms::HdlcControl{FrameType::rr, 0, 2, true});
    CHECK(link.requests.size() == 2);
    CHECK(link.server.stats().sequence_errors == 1);
}

TEST_CASE("A long response goes in segments of the negotiated size, each after the client's RR",
          "[sim][dlms][hdlc]") {
    Link link;
    // The client takes at most 40 octets per frame: the UA says we send 40.
    link.connect(dlms::HdlcParameters{128, 40, 1, 1});
    CHECK(link.server.negotiated() == dlms::HdlcParameters{40, 128, 1, 1});
    link.answer.resize(100);
    for (std::size_t i = 0; i < link.answer.size(); ++i) link.answer[i] = static_cast<std::uint8_t>(i);

    std::vector<std::uint8_t> received;
    auto out = link.i_frame(0, 0, with_llc(dlms::llc_request, {0xC0}));
    std::uint8_t nr = 0;
    std::size_t segments = 0;
    while (true) {
        REQUIRE(out.size() == 1);
        const HdlcFrame& f = out[0];
        REQUIRE(f.control.type == FrameType::i);
        CHECK(f.control.ns == segments % 8);
        CHECK(f.control.poll_final);
        CHECK(f.info.size() <= 40);
        received.insert(received.end(), f.info.begin(), f.info.end());
        ++segments;
        nr = static_cast<std::uint8_t>((f.control.ns + 1) % 8);
        if (!f.segmented) break;
        CHECK(dlms::encode_frame(f)[1] == 0xA8);  // format type 3 with the S bit
        out = link.rr(nr);
    }
    CHECK(segments == 3);  // 103 octets: 40 + 40 + 23
    CHECK(received == with_llc(dlms::llc_response, link.answer));
    CHECK(link.server.stats().segments_tx == 2);
    // The last segment acknowledged: an RR.
    const auto rr = link.rr(nr);
    REQUIRE(rr.size() == 1);
    CHECK(rr[0].control.type == FrameType::rr);
}

TEST_CASE("With window 2 two segments go per poll, the F bit on the second", "[sim][dlms][hdlc]") {
    DlmsHdlcOptions options = physical_17();
    options.parameters = {64, 64, 2, 2};
    Link link(options);
    link.connect(dlms::HdlcParameters{64, 64, 2, 2});
    link.answer.assign(150, 0x55);  // 153 octets with the LLC: 64 + 64 + 25
    const auto burst = link.i_frame(0, 0, with_llc(dlms::llc_request, {0xC0}));
    REQUIRE(burst.size() == 2);
    CHECK(burst[0].control == dlms::HdlcControl{FrameType::i, 0, 1, false});
    CHECK(burst[1].control == dlms::HdlcControl{FrameType::i, 1, 1, true});
    // The client got only the first: N(R)=1 asks for the second again, then the third.
    const auto again = link.rr(1);
    REQUIRE(again.size() == 2);
    CHECK(again[0].control.ns == 1);
    CHECK(again[1].control == dlms::HdlcControl{FrameType::i, 2, 1, true});
    CHECK_FALSE(again[1].segmented);
}

TEST_CASE("A request segmented by the client is acknowledged with RR and reassembled", "[sim][dlms][hdlc]") {
    Link link;
    link.connect();
    const auto request = with_llc(dlms::llc_request, std::vector<std::uint8_t>(200, 0xAB));
    std::vector<std::uint8_t> part1(request.begin(), request.begin() + 128);
    std::vector<std::uint8_t> part2(request.begin() + 128, request.end());
    const auto ack = link.i_frame(0, 0, part1, true);
    REQUIRE(ack.size() == 1);
    CHECK(ack[0].control == dlms::HdlcControl{FrameType::rr, 0, 1, true});
    CHECK(link.requests.empty());
    const auto answer = link.i_frame(1, 0, part2);
    REQUIRE(answer.size() == 1);
    CHECK(answer[0].control == dlms::HdlcControl{FrameType::i, 0, 2, true});
    REQUIRE(link.requests.size() == 1);
    CHECK(link.requests[0].second == std::vector<std::uint8_t>(200, 0xAB));
    CHECK(link.server.stats().segments_rx == 1);
}

TEST_CASE("Frames the link cannot take: bad LLC, N(R) out of range, oversized info", "[sim][dlms][hdlc]") {
    Link link;
    link.connect();
    // Without E6 E6 00 the request is dropped; the poll still gets an RR.
    const auto bad_llc = link.i_frame(0, 0, {0xE6, 0xE7, 0x00, 0xC0});
    REQUIRE(bad_llc.size() == 1);
    CHECK(bad_llc[0].control.type == FrameType::rr);
    CHECK(link.requests.empty());
    CHECK(link.server.stats().llc_errors == 1);

    // N(R)=5 acknowledges frames we never sent: FRMR, and FRMR again to every poll until SNRM.
    const auto frmr = link.i_frame(1, 5, with_llc(dlms::llc_request, {0xC0}));
    REQUIRE(frmr.size() == 1);
    CHECK(frmr[0].control.type == FrameType::frmr);
    CHECK(frmr[0].info == std::vector<std::uint8_t>{0xB2, 0x20, 0x08});  // rejected control, V(R)=1 V(S)=0, Z
    CHECK(link.rr(0) == frmr);
    link.connect();
    CHECK(link.server.stats().connects == 2);
    CHECK(link.disconnects == 1);  // SNRM in NRM ended the first connection's association

    // An information field over the negotiated 128 octets: FRMR with Y.
    const auto big = link.i_frame(0, 0, std::vector<std::uint8_t>(129, 0xE6));
    REQUIRE(big.size() == 1);
    CHECK(big[0].control.type == FrameType::frmr);
    CHECK(big[0].info[2] == 0x04);
}

TEST_CASE("Only polls are answered; a frame without P waits for the client's RR", "[sim][dlms][hdlc]") {
    Link link;
    link.connect();
    CHECK(link.i_frame(0, 0, with_llc(dlms::llc_request, {0xC0}), false, false).empty());
    REQUIRE(link.requests.size() == 1);
    const auto out = link.rr(0);
    REQUIRE(out.size() == 1);
    CHECK(out[0].control == dlms::HdlcControl{FrameType::i, 0, 1, true});
}

TEST_CASE("A client's RNR holds our I-frames back until its RR", "[sim][dlms][hdlc]") {
    Link link;
    link.connect(dlms::HdlcParameters{128, 32, 1, 1});
    link.answer.assign(60, 0x11);
    const auto first = link.i_frame(0, 0, with_llc(dlms::llc_request, {0xC0}));
    REQUIRE(first.size() == 1);
    CHECK(first[0].segmented);
    const auto busy = link.rr(1, FrameType::rnr);
    REQUIRE(busy.size() == 1);
    CHECK(busy[0].control.type == FrameType::rr);
    const auto next = link.rr(1);
    REQUIRE(next.size() == 1);
    CHECK(next[0].control == dlms::HdlcControl{FrameType::i, 1, 1, true});
}

TEST_CASE("Inactivity ends the connection and the association; a second client gets DM", "[sim][dlms][hdlc]") {
    Link link;
    link.connect();
    REQUIRE(link.server.next_deadline());
    CHECK(*link.server.next_deadline() == link.now + std::chrono::seconds(120));

    // Another client while client 16 is connected: DM, and 16 stays connected.
    HdlcFrame other = link.from_client({FrameType::rr, 0, 0, true});
    other.source = dlms::HdlcAddress::client(1);
    const auto dm = link.feed(other);
    REQUIRE(dm.size() == 1);
    CHECK(dm[0].control.type == FrameType::dm);
    CHECK(dm[0].destination == dlms::HdlcAddress::client(1));
    CHECK(link.server.connected());

    link.now += std::chrono::seconds(100);
    link.rr(0);  // activity moves the deadline
    link.now += std::chrono::seconds(119);
    link.server.on_timer(link.now);
    CHECK(link.server.connected());
    link.now += std::chrono::seconds(1);
    link.server.on_timer(link.now);
    CHECK_FALSE(link.server.connected());
    CHECK(link.disconnects == 1);
    CHECK(link.server.stats().inactivity_timeouts == 1);
    CHECK_FALSE(link.server.next_deadline());
    const auto after = link.rr(0);
    REQUIRE(after.size() == 1);
    CHECK(after[0].control.type == FrameType::dm);
}

TEST_CASE("disconnect() drops the connection silently; a timeout of 0 never expires", "[sim][dlms][hdlc]") {
    DlmsHdlcOptions options = physical_17();
    options.inactivity_timeout = Duration::zero();
    Link link(options);
    link.connect();
    CHECK_FALSE(link.server.next_deadline());
    link.server.disconnect();
    CHECK_FALSE(link.server.connected());
    CHECK(link.disconnects == 1);
    link.server.disconnect();
    CHECK(link.disconnects == 1);
}

TEST_CASE("SNRM proposing less than the meter's limits is honoured; nonsense gets DM", "[sim][dlms][hdlc]") {
    Link link;
    link.connect(dlms::HdlcParameters{64, 256, 7, 7});
    CHECK(link.server.negotiated() == dlms::HdlcParameters{128, 64, 1, 1});
    const auto bad = link.feed(link.from_client({FrameType::snrm, 0, 0, true}, {0x81, 0x80, 0x05, 0x05}));
    REQUIRE(bad.size() == 1);
    CHECK(bad[0].control.type == FrameType::dm);
}

TEST_CASE("The server's address forms and parameter checks", "[sim][dlms][hdlc]") {
    DlmsHdlcOptions o;
    o.physical_id = 100;
    const DlmsHdlcServer four(o, {});
    CHECK(to_hex(dlms::encode_address(four.address())) == "00 02 00 C9");
    o.address_octets = 1;
    o.physical_id = 17;
    const DlmsHdlcServer one(o, {});
    CHECK(to_hex(dlms::encode_address(one.address())) == "23");
    o.parameters.window_tx = 0;
    CHECK_THROWS_AS(DlmsHdlcServer(o, {}), std::invalid_argument);
}
