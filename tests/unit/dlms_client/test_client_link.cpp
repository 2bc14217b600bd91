// The client's links against the fake meter: HDLC connection and negotiation, segments
// both ways, a lost answer sent again, DM, a busy meter, foreign frames on a shared bus,
// the TCP wrapper, leases, idle release and stop().
#include <catch2/catch.hpp>

#include "client_harness.hpp"

using namespace gridgate;
using namespace gridgate::dlms;
using namespace gridgate::dlms::testing;

namespace {

const Obis serial_obis{{0, 0, 96, 11, 0, 255}};

// One identity object: an association and one GET, at start.
ClientOptions with_serial(ClientOptions o) {
    o.identity = {IdentityOptions{"serial_number", serial_obis, 1, ""}};
    return o;
}

bool has_serial(const Harness& h, const std::string& value) {
    const auto s = h.stats();
    const auto it = s.identity.find("serial_number");
    return it != s.identity.end() && it->second == value;
}

std::size_t count_frames(const FakeMeter& m, FrameType t) {
    std::size_t n = 0;
    for (const auto& f : m.frames_in)
        if (f.control.type == t) ++n;
    return n;
}

}  // namespace

TEST_CASE("HDLC: SNRM proposes, the meter's smaller sizes win, requests are segmented", "[dlms][client][hdlc]") {
    Harness h;
    h.meter.params = HdlcParameters{64, 24, 1, 1};  // the meter takes 24 octets per frame
    h.meter.set_object(1, serial_obis, 2, Data::visible_string("JS2-000123"));
    auto o = with_serial(h.fast_options());
    o.client_sap = 1;
    o.password = "ClientId1";  // the AARQ with its password is longer than 48 octets
    h.start(o);
    REQUIRE(h.run_until([&] { return has_serial(h, "JS2-000123"); }));

    // SNRM carried the proposal (128/128/1/1), the UA the meter's parameters.
    REQUIRE(h.meter.frames_in.at(0).control.type == FrameType::snrm);
    REQUIRE(decode_parameters(h.meter.frames_in.at(0).info) == HdlcParameters{});
    const auto s = h.stats();
    REQUIRE(s.negotiated_hdlc.max_info_tx == 24);
    REQUIRE(s.negotiated_hdlc.max_info_rx == 64);
    REQUIRE(s.associated);
    REQUIRE(h.meter.oversized_frames == 0);
    std::size_t segmented = 0;
    for (const auto& f : h.meter.frames_in)
        if (f.control.type == FrameType::i && f.segmented) ++segmented;
    REQUIRE(segmented >= 2);  // the AARQ went in at least three frames
    REQUIRE(h.meter.llc_errors == 0);
    REQUIRE(h.meter.journal == std::vector<std::string>{"SNRM", "AARQ 1", "GET 1/0.0.96.11.0.255/2"});
    // One lease per exchange: SNRM, AARQ, GET.
    REQUIRE(h.line.grants == 3);
    REQUIRE(h.line.failed_releases == 0);
}

TEST_CASE("HDLC: a segmented answer is read with an RR after each segment", "[dlms][client][hdlc]") {
    Harness h;
    h.meter.params = HdlcParameters{32, 128, 1, 1};
    const std::string text(300, 'x');
    h.meter.set_object(1, serial_obis, 2, Data::visible_string(text));
    h.start(with_serial(h.fast_options()));
    REQUIRE(h.run_until([&] { return has_serial(h, text); }));
    // 3 + 4 octets of header around 300: ten segments of 32, nine RRs between them (and
    // the AARE's one more).
    REQUIRE(h.meter.rrs >= 9);
    REQUIRE(h.stats().frame_errors == 0);
}

TEST_CASE("HDLC: a lost answer is asked for again with the same frame", "[dlms][client][hdlc]") {
    Harness h;
    h.meter.set_object(1, serial_obis, 2, Data::visible_string("A1"));
    bool lost = false;
    h.meter.before_answer = [&] {
        if (!lost && !h.meter.journal.empty() && h.meter.journal.back().rfind("GET", 0) == 0) {
            lost = true;
            h.meter.lose_answers = 1;
        }
    };
    h.start(with_serial(h.fast_options()));
    REQUIRE(h.run_until([&] { return has_serial(h, "A1"); }));
    REQUIRE(h.meter.count("GET") == 1);  // the repeat was recognised, not taken as a new request
    const auto s = h.stats();
    REQUIRE(s.timeouts == 1);
    REQUIRE(h.count_events("dlms_comm_lost") == 0);
    // The frame sent again is the same frame: same N(S), N(R) and info.
    const auto& in = h.meter.frames_in;
    REQUIRE(in.size() >= 2);
    REQUIRE(in[in.size() - 1] == in[in.size() - 2]);
}

TEST_CASE("HDLC: a lost SNRM answer is retried, then the meter is given up", "[dlms][client][hdlc]") {
    SECTION("one UA lost") {
        Harness h;
        h.meter.set_object(1, serial_obis, 2, Data::visible_string("A1"));
        h.meter.lose_answers = 1;
        h.start(with_serial(h.fast_options()));
        REQUIRE(h.run_until([&] { return has_serial(h, "A1"); }));
        REQUIRE(h.meter.count("SNRM") == 2);
    }
    SECTION("no answer at all: retries, communication lost, backoff") {
        Harness h;
        h.meter.ignore_frames = 1000;
        auto o = with_serial(h.fast_options());
        o.hdlc.retries = 2;
        h.start(o);
        REQUIRE(h.run_until([&] { return h.count_events("dlms_comm_lost") == 1; }));
        REQUIRE(count_frames(h.meter, FrameType::snrm) == 0);  // nothing reached it
        REQUIRE(h.stats().timeouts == 3);                       // the first SNRM and two re-sends
        // Released without closing: the lease channel ends the pending read itself.
        REQUIRE(h.line.failed_releases == 0);
        REQUIRE(!h.stats().online);
        // The next attempt comes after the backoff; the loss is reported once.
        REQUIRE(h.run_until([&] { return h.stats().timeouts >= 6; }));
        REQUIRE(h.count_events("dlms_comm_lost") == 1);
    }
}

TEST_CASE("HDLC: a meter answering DM is not connected; comm lost, backoff, restored", "[dlms][client][hdlc]") {
    Harness h;
    h.meter.set_object(1, serial_obis, 2, Data::visible_string("A1"));
    h.meter.refuse_connection = true;
    h.start(with_serial(h.fast_options()));
    REQUIRE(h.run_until([&] { return h.count_events("dlms_comm_lost") == 1; }));
    REQUIRE(h.last_event("dlms_comm_lost")->detail_json.find("disconnected") != std::string::npos);
    const auto first = SteadyClock::now();
    REQUIRE(h.run_until([&] { return h.meter.count("SNRM") >= 2; }));
    REQUIRE(SteadyClock::now() - first >= 30ms);  // not before the backoff (retry_min 40 ms)
    h.meter.refuse_connection = false;
    REQUIRE(h.run_until([&] { return has_serial(h, "A1"); }));
    REQUIRE(h.count_events("dlms_comm_restored") == 1);
    REQUIRE(h.count_events("dlms_comm_lost") == 1);
}

TEST_CASE("HDLC: a busy meter (RNR) is polled until it answers", "[dlms][client][hdlc]") {
    Harness h;
    h.meter.set_object(1, serial_obis, 2, Data::visible_string("A1"));
    h.meter.busy_answers = 2;
    h.start(with_serial(h.fast_options()));
    REQUIRE(h.run_until([&] { return has_serial(h, "A1"); }));
    REQUIRE(h.meter.rrs >= 2);
    REQUIRE(h.stats().timeouts == 0);
}

TEST_CASE("HDLC: frames between other stations on the bus are counted and ignored", "[dlms][client][hdlc]") {
    Harness h;
    h.meter.set_object(1, serial_obis, 2, Data::visible_string("A1"));
    h.meter.before_answer = [&] { h.meter.send_foreign_frame(); };
    h.start(with_serial(h.fast_options()));
    REQUIRE(h.run_until([&] { return has_serial(h, "A1"); }));
    const auto s = h.stats();
    REQUIRE(s.foreign_frames == 3);  // before the UA, the AARE and the GET response
    REQUIRE(s.frames_received == 3);
    REQUIRE(s.timeouts == 0);
}

TEST_CASE("HDLC: garbage on the line is a frame error, not an answer", "[dlms][client][hdlc]") {
    Harness h;
    h.meter.set_object(1, serial_obis, 2, Data::visible_string("A1"));
    h.meter.before_answer = [&] {
        const std::vector<std::uint8_t> junk{0x7E, 0xA0, 0x07, 0x03, 0x21, 0x93, 0x00, 0x00, 0x7E};  // bad HCS
        h.line.channel.deliver(std::as_bytes(std::span<const std::uint8_t>(junk)));
    };
    h.start(with_serial(h.fast_options()));
    REQUIRE(h.run_until([&] { return has_serial(h, "A1"); }));
    REQUIRE(h.stats().frame_errors >= 3);
}

TEST_CASE("wrapper: PDUs to and from the meter's wPort; a timeout closes the connection", "[dlms][client][tcp]") {
    Harness h(false);
    h.meter.set_object(1, serial_obis, 2, Data::visible_string("W1"));
    h.meter.before_answer = [&] { h.meter.send_foreign_frame(); };
    h.start(with_serial(h.fast_options()));
    REQUIRE(h.run_until([&] { return has_serial(h, "W1"); }));
    REQUIRE(h.meter.journal == std::vector<std::string>{"AARQ 16", "GET 1/0.0.96.11.0.255/2"});
    REQUIRE(h.stats().foreign_frames == 2);
    REQUIRE(h.line.failed_releases == 0);

    SECTION("no answer: no re-send, the connection is closed, the association ends") {
        h.meter.before_answer = nullptr;
        h.meter.ignore_frames = 1;
        h.session->request_profile_read();  // nothing configured: no exchange
        h.session->request_clock_check();
        REQUIRE(h.run_until([&] { return h.count_events("dlms_comm_lost") == 1; }));
        REQUIRE(h.line.failed_releases == 1);
        REQUIRE(!h.meter.associated());
        REQUIRE(h.stats().timeouts == 1);
        // The next attempt associates again on a new connection.
        REQUIRE(h.run_until([&] { return h.meter.count("AARQ") == 2 && h.stats().last_offset_ms.has_value(); }));
    }
}

TEST_CASE("idle release: RLRQ then DISC; TCP closes the connection", "[dlms][client]") {
    for (const bool hdlc : {true, false}) {
        Harness h(hdlc);
        h.meter.set_object(1, serial_obis, 2, Data::visible_string("A1"));
        auto o = with_serial(h.fast_options());
        o.idle_release = 50ms;
        h.start(o);
        REQUIRE(h.run_until([&] { return h.meter.count("RLRQ") == 1; }));
        REQUIRE(h.run_until([&] { return !h.stats().associated; }));
        if (hdlc) {
            REQUIRE(h.run_until([&] { return h.meter.count("DISC") == 1; }));
            REQUIRE(h.line.failed_releases == 0);
        } else {
            REQUIRE(h.line.failed_releases == 1);  // closing frees the meter's one association
        }
        REQUIRE(h.count_events("dlms_comm_lost") == 0);
    }
}

TEST_CASE("stop() releases the association, then calls back", "[dlms][client]") {
    Harness h;
    h.meter.set_object(1, serial_obis, 2, Data::visible_string("A1"));
    h.start(with_serial(h.fast_options()));
    REQUIRE(h.run_until([&] { return has_serial(h, "A1"); }));
    REQUIRE(h.stop());
    REQUIRE(h.meter.count("RLRQ") == 1);
    REQUIRE(h.meter.count("DISC") == 1);
    REQUIRE(!h.line.held());
    const auto journal = h.meter.journal.size();
    h.run_for(50ms);
    REQUIRE(h.meter.journal.size() == journal);
}

TEST_CASE("a line that is down fails the task without a lease", "[dlms][client]") {
    Harness h;
    h.line.down = true;
    h.start(with_serial(h.fast_options()));
    REQUIRE(h.run_until([&] { return h.count_events("dlms_comm_lost") == 1; }));
    REQUIRE(h.line.grants == 0);
    REQUIRE(h.last_event("dlms_comm_lost")->detail_json.find("line_down") != std::string::npos);
}

TEST_CASE("options that cannot work are refused at construction", "[dlms][client]") {
    Harness h;
    auto o = h.fast_options();
    o.client_sap = 200;  // not a 7-bit HDLC address
    REQUIRE_THROWS_AS(ClientSession(h.line, h.clock, o, {}, {}, h.logger), std::invalid_argument);
    o = h.fast_options();
    o.hdlc.physical_id = 0x4000;  // over 14 bits
    REQUIRE_THROWS_AS(ClientSession(h.line, h.clock, o, {}, {}, h.logger), std::invalid_argument);
    o = h.fast_options();
    o.transport = TransportKind::tcp_wrapper;
    o.client_sap = 200;  // a wrapper port: fine
    REQUIRE_NOTHROW(ClientSession(h.line, h.clock, o, {}, {}, h.logger));
}

TEST_CASE("a line that keeps a pending read is closed after a timeout", "[dlms][client][hdlc]") {
    Harness h;
    h.meter.ignore_frames = 1000;
    auto o = with_serial(h.fast_options());
    o.hdlc.retries = 0;
    o.line_cancels_pending_read = false;  // a raw channel: only closing ends the read
    h.start(o);
    REQUIRE(h.run_until([&] { return h.count_events("dlms_comm_lost") == 1; }));
    REQUIRE(h.run_until([&] { return h.line.failed_releases >= 1; }));
    REQUIRE(h.line.failed_releases == h.line.releases);
}
