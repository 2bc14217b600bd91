// MasterSession link layer: confirmed user data (reset, FCB, retries, NACK), ACKs of the
// outstation's confirmed frames, and per-layer traces.
#include <catch2/catch.hpp>

#include "gridgate/testing/recording_logger.hpp"
#include "master_harness.hpp"

using namespace gridgate;
using namespace gridgate::dnp3;
using namespace gridgate::dnp3::testing;

namespace {

// The master's primary frames, as "RESET", "CUD fcb=1", "UUD".
std::vector<std::string> primary_frames(const FakeOutstation& o) {
    std::vector<std::string> out;
    for (const auto& f : o.master_frames) {
        if (!f.header.prm) continue;
        switch (static_cast<PrimaryFunction>(f.header.function)) {
            case PrimaryFunction::reset_link_states: out.push_back("RESET"); break;
            case PrimaryFunction::confirmed_user_data:
                out.push_back(std::string("CUD fcb=") + (f.header.fcb ? "1" : "0") + (f.header.fcv ? "" : " nofcv"));
                break;
            case PrimaryFunction::unconfirmed_user_data: out.push_back("UUD"); break;
            default: out.push_back("other"); break;
        }
    }
    return out;
}

SessionOptions confirmed_options() {
    auto o = Harness::fast_options();
    o.confirmed_user_data = true;
    o.link_retries = 2;
    o.link_timeout = std::chrono::milliseconds(40);
    return o;
}

}  // namespace

TEST_CASE("confirmed user data: reset first, FCB alternating from 1") {
    Harness h;
    h.start(confirmed_options());
    REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
    h.session->request_integrity();
    REQUIRE(h.run_until([&] { return h.session->stats().transactions == 2 && !h.line.held(); }));
    CHECK(primary_frames(h.outstation) == std::vector<std::string>{"RESET", "CUD fcb=1", "CUD fcb=0"});
    const auto s = h.session->stats();
    CHECK(s.link_resets == 1);
    CHECK(s.link_retries == 0);
    CHECK(s.online);
    REQUIRE(h.stop());
}

TEST_CASE("confirmed user data: a frame without ACK is sent again with the same FCB") {
    Harness h;
    h.outstation.drop_link_frames = 1;
    h.start(confirmed_options());
    REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
    CHECK(primary_frames(h.outstation) == std::vector<std::string>{"RESET", "CUD fcb=1", "CUD fcb=1"});
    CHECK(h.outstation.count(integrity_read) == 1);
    const auto s = h.session->stats();
    CHECK(s.link_retries == 1);
    CHECK(s.online);
    REQUIRE(h.stop());
}

TEST_CASE("confirmed user data: a NACK resets the link and the frame goes again") {
    Harness h;
    h.outstation.nack_link_frames = 1;
    h.start(confirmed_options());
    REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
    CHECK(primary_frames(h.outstation) == std::vector<std::string>{"RESET", "CUD fcb=1", "RESET", "CUD fcb=1"});
    CHECK(h.session->stats().link_resets == 2);
    CHECK(h.session->stats().online);
    REQUIRE(h.stop());
}

TEST_CASE("confirmed user data: no ACK after the retries fails the transaction; the next one resets first") {
    Harness h;
    h.outstation.drop_link_frames = 3;  // link_retries = 2: three transmissions
    h.start(confirmed_options());
    REQUIRE(h.run_until([&] { return h.session->stats().online && !h.line.held(); }));
    CHECK(primary_frames(h.outstation) ==
          std::vector<std::string>{"RESET", "CUD fcb=1", "CUD fcb=1", "CUD fcb=1", "RESET", "CUD fcb=1"});
    const auto s = h.session->stats();
    CHECK(s.timeouts == 1);
    CHECK(s.link_retries == 2);
    CHECK(h.count_events("dnp3_comm_lost") == 1);
    CHECK(h.count_events("dnp3_comm_restored") == 1);
    REQUIRE(h.stop());
}

TEST_CASE("application confirms go as confirmed user data too") {
    Harness h;
    h.outstation.on_request = [&](const Request& r) {
        if (r.function != FunctionCode::read) return false;
        ResponseBuilder b;
        b.begin(control(r.control.seq, true, true, true), {});
        const std::vector<PointValue> v{counter(0, 1)};
        b.add_range(20, 5, 0, v);
        h.outstation.send(b.fragment());
        return true;
    };
    h.start(confirmed_options());
    REQUIRE(h.run_until([&] { return h.outstation.count("CONFIRM") == 1 && !h.line.held(); }));
    CHECK(primary_frames(h.outstation) == std::vector<std::string>{"RESET", "CUD fcb=1", "CUD fcb=0"});
    REQUIRE(h.stop());
}

TEST_CASE("the outstation's confirmed user data frames are ACKed, repeats taken once") {
    Harness h;
    h.outstation.on_request = [&](const Request& r) {
        if (r.function != FunctionCode::read) return false;
        ResponseBuilder b;
        b.begin(control(r.control.seq), {});
        const std::vector<PointValue> v{counter(0, 1)};
        b.add_range(20, 5, 0, v);
        auto& o = h.outstation;
        o.send_frame(primary_header(PrimaryFunction::reset_link_states, 1, 10, false), {});
        std::uint8_t tseq = 0;
        const auto segment = segment_fragment(b.fragment(), tseq).front();
        const auto cud = primary_header(PrimaryFunction::confirmed_user_data, 1, 10, false, true, true);
        o.send_frame(cud, segment);
        o.send_frame(cud, segment);  // as if our ACK was lost
        return true;
    };
    h.start();
    REQUIRE(h.run_until([&] { return h.session->stats().transactions == 1 && !h.line.held(); }));
    CHECK(h.batches.size() == 1);
    REQUIRE(h.outstation.master_acks.size() == 3);
    for (const auto& a : h.outstation.master_acks) {
        CHECK(a.header.function == static_cast<std::uint8_t>(SecondaryFunction::ack));
        CHECK(a.header.dir);
        CHECK(a.header.destination == 10);
    }
    CHECK(h.session->stats().dropped_fragments == 0);
    REQUIRE(h.stop());
}

TEST_CASE("traces: link frames in hex and application fragments described, only when tracing the meter") {
    asio::io_context io;
    FakeClock clock;
    gridgate::testing::RecordingLogger logger(LogLevel::debug, false);
    MemoryLine line(io);
    FakeOutstation outstation(line.channel, clock);
    bool traced = GENERATE(false, true);
    if (traced) logger.set_trace("m1", true);
    {
        MasterSession session(
            line, clock, Harness::fast_options(), [](DataBatch, std::function<void(bool)> d) { d(true); },
            [](SessionEvent) {}, logger);
        session.start();
        const auto deadline = SteadyClock::now() + 5s;
        while (session.stats().transactions == 0 || line.held()) {
            REQUIRE(SteadyClock::now() < deadline);
            io.run_one_for(5ms);
        }
        bool stopped = false;
        session.stop([&] { stopped = true; });
        while (!stopped) io.run_one_for(5ms);
    }
    if (traced) {
        CHECK(logger.count("dnp3-link tx") == 1);
        CHECK(logger.count("dnp3-link rx") == 1);
        CHECK(logger.count("[dnp3-app] m1 tx") == 1);
        CHECK(logger.count("[dnp3-app] m1 rx") == 1);
        CHECK(logger.count("05 64") == 2);
    } else {
        CHECK(logger.count("dnp3-link") == 0);
        CHECK(logger.count("dnp3-app") == 0);
    }
    io.restart();
    io.poll();
}
