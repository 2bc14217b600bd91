// The RTU receive state machine with the time of each read given by the test: frames
// complete by length or by t3.5 of silence, survive being split, and the receiver
// resynchronises after garbage.
#include <catch2/catch.hpp>

#include "gridgate/sim/rtu_crc.hpp"
#include "gridgate/sim/rtu_frame_receiver.hpp"
#include "gridgate/sim/rtu_request_length.hpp"
#include "sim_test_helpers.hpp"

using namespace gridgate::sim;
using namespace std::chrono_literals;
using sim_test::hex;
using sim_test::t0;

namespace {

const LineSettings line_9600{9600, 8, Parity::none, 1};  // t1.5 = 1.72 ms, t3.5 = 4.01 ms

std::vector<std::byte> frame(const std::string& text) {
    std::vector<std::byte> bytes = hex(text);
    append_rtu_crc(bytes);
    return bytes;
}

const std::vector<std::byte> read_10 = hex("01 03 00 00 00 0a c5 cd");

std::vector<std::byte> concat(std::initializer_list<std::vector<std::byte>> parts) {
    std::vector<std::byte> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

std::vector<std::string> frames_of(RtuFrameReceiver& rx) {
    std::vector<std::string> out;
    for (const RtuFrame& f : rx.take_frames()) out.push_back(hex(f.bytes));
    return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("rtu request length: fixed per function, counted for FC15/16", "[sim][rtu][framing]") {
    using Kind = RtuRequestLength::Kind;
    const auto length = [](const std::string& text) { return rtu_request_length(hex(text)); };
    for (const char* fc : {"01", "02", "03", "04", "05", "06", "08"}) {
        const RtuRequestLength l = length(std::string("01 ") + fc);
        CHECK(l.kind == Kind::known);
        CHECK(l.bytes == 8);
    }
    CHECK(length("01 07").bytes == 4);
    CHECK(length("01 11").bytes == 4);
    CHECK(length("01 16").bytes == 10);
    CHECK(length("01").kind == Kind::need_more);
    CHECK(length("01 10 00 00 00 02").kind == Kind::need_more);  // byte count not yet here
    CHECK(length("01 10 00 00 00 02 04").bytes == 13);           // 7 + 4 data + 2 CRC
    CHECK(length("01 0f 00 00 00 0a 02").bytes == 11);
    CHECK(length("01 17 00 00 00 01 00 00 00 01 02").bytes == 15);
    CHECK(length("01 10 00 00 00 7b f6").bytes == 255);
    CHECK(length("01 10 00 00 00 7b f8").kind == Kind::invalid);  // 257 bytes: over the RTU maximum
    CHECK(length("01 2b 0e 01 00").kind == Kind::unknown);        // MEI: only silence ends it
    CHECK(length("01 83 02").kind == Kind::unknown);              // a response, not a request
}

TEST_CASE("rtu receiver: a request completes by length without waiting for silence", "[sim][rtu][framing]") {
    RtuFrameReceiver rx(RtuFrameReceiver::options_for(line_9600));
    rx.on_bytes(read_10, t0);
    const std::vector<RtuFrame> frames = rx.take_frames();
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].address() == 1);
    CHECK(hex(std::vector<std::byte>(frames[0].pdu().begin(), frames[0].pdu().end())) == "03 00 00 00 0a");
    CHECK(frames[0].end == t0);
    CHECK_FALSE(rx.deadline());
    CHECK(rx.pending() == 0);

    const auto preset = frame("02 10 00 00 00 02 04 00 01 00 02");  // FC16 carries its byte count
    rx.on_bytes(preset, t0 + 10ms);
    CHECK(frames_of(rx) == Strings{hex(preset)});
    CHECK(rx.stats().frames == 2);
    CHECK(rx.stats().garbage_bytes == 0);
}

TEST_CASE("rtu receiver: a split frame is reassembled and ends with its last piece", "[sim][rtu][framing]") {
    RtuFrameReceiver rx(RtuFrameReceiver::options_for(line_9600));
    rx.on_bytes(std::span(read_10).first(3), t0);
    CHECK(rx.take_frames().empty());
    CHECK(rx.deadline() == t0 + t35(line_9600));
    rx.on_bytes(std::span(read_10).subspan(3, 3), t0 + 1ms);
    CHECK(rx.take_frames().empty());
    rx.on_bytes(std::span(read_10).subspan(6), t0 + 2ms);
    const std::vector<RtuFrame> frames = rx.take_frames();
    REQUIRE(frames.size() == 1);
    CHECK(hex(frames[0].bytes) == hex(read_10));
    CHECK(frames[0].end == t0 + 2ms);

    // Two requests in one read, the second cut short: one now, one with the rest.
    const auto second = frame("02 04 00 00 00 13");
    const auto both = concat({read_10, second});
    rx.on_bytes(std::span(both).first(12), t0 + 10ms);
    CHECK(frames_of(rx) == Strings{hex(read_10)});
    rx.on_bytes(std::span(both).subspan(12), t0 + 11ms);
    CHECK(frames_of(rx) == Strings{hex(second)});
}

TEST_CASE("rtu receiver: a function without a length rule completes after t3.5 of silence", "[sim][rtu][framing]") {
    RtuFrameReceiver rx(RtuFrameReceiver::options_for(line_9600));
    const auto mei = frame("01 2b 0e 01 00");
    rx.on_bytes(mei, t0);
    CHECK(rx.take_frames().empty());
    REQUIRE(rx.deadline() == t0 + 4'010'417ns);
    rx.on_idle(t0 + 4'010'416ns);  // not silent long enough yet
    CHECK(rx.take_frames().empty());
    rx.on_idle(*rx.deadline());
    CHECK(frames_of(rx) == Strings{hex(mei)});
    CHECK_FALSE(rx.deadline());

    // The silence can also be noticed when the next bytes arrive.
    rx.on_bytes(mei, t0 + 100ms);
    rx.on_bytes(std::span(read_10).first(2), t0 + 100ms + t35(line_9600));
    CHECK(frames_of(rx) == Strings{hex(mei)});
    rx.on_bytes(std::span(read_10).subspan(2), t0 + 101ms + t35(line_9600));
    CHECK(frames_of(rx) == Strings{hex(read_10)});
}

TEST_CASE("rtu receiver: resynchronises after garbage", "[sim][rtu][framing]") {
    RtuFrameReceiver rx(RtuFrameReceiver::options_for(line_9600));

    SECTION("a stray byte whose header fits a fixed length: found by the CRC hunt") {
        rx.on_bytes(concat({hex("05"), read_10}), t0);
        CHECK(frames_of(rx) == Strings{hex(read_10)});
        CHECK(rx.stats().garbage_bytes == 1);
    }
    SECTION("bytes with no length rule in front: the complete frame behind them wins") {
        rx.on_bytes(concat({hex("aa bb"), read_10}), t0);
        CHECK(frames_of(rx) == Strings{hex(read_10)});
        CHECK(rx.stats().garbage_bytes == 2);
    }
    SECTION("garbage that looks like a long FC16 header does not swallow the next request") {
        rx.on_bytes(hex("07 10 00 00 00 10 20"), t0);  // announces 32 data bytes
        rx.on_bytes(read_10, t0 + 1ms);
        CHECK(frames_of(rx) == Strings{hex(read_10)});
        CHECK(rx.stats().garbage_bytes == 7);
    }
    SECTION("a request with a bad CRC is dropped and the next one is taken") {
        auto corrupt = read_10;
        corrupt[5] ^= std::byte{0x01};
        rx.on_bytes(corrupt, t0);
        CHECK(rx.take_frames().empty());
        rx.on_bytes(read_10, t0 + 1ms);  // no silence in between
        CHECK(frames_of(rx) == Strings{hex(read_10)});
        CHECK(rx.stats().garbage_bytes == 8);
    }
    SECTION("garbage alone is dropped at the next silence") {
        rx.on_bytes(hex("ff ff 00 13 37"), t0);
        rx.on_idle(t0 + 10ms);
        CHECK(rx.take_frames().empty());
        CHECK(rx.pending() == 0);
        CHECK(rx.stats().garbage_bytes == 5);
        rx.on_bytes(read_10, t0 + 20ms);
        CHECK(frames_of(rx) == Strings{hex(read_10)});
    }
    CHECK(rx.stats().frames == 1);
}

TEST_CASE("rtu receiver: memory stays bounded under a stream of garbage", "[sim][rtu][framing]") {
    RtuFrameReceiver rx(RtuFrameReceiver::options_for(line_9600));
    const std::vector<std::byte> noise(100, std::byte{0x2b});  // never a complete frame
    for (int i = 0; i < 20; ++i) {
        rx.on_bytes(noise, t0 + std::chrono::microseconds(100 * i));
        CHECK(rx.pending() <= max_rtu_frame);
    }
    rx.on_bytes(read_10, t0 + 5ms);
    CHECK(frames_of(rx) == Strings{hex(read_10)});
    CHECK(rx.stats().garbage_bytes == 2000);
}

TEST_CASE("rtu receiver: a gap over t1.5 inside a frame", "[sim][rtu][framing]") {
    const auto split_by_gap = [](RtuFrameReceiver& rx) {
        rx.on_bytes(std::span(read_10).first(4), t0);
        rx.on_bytes(std::span(read_10).subspan(4), t0 + 2ms);  // t1.5 < 2 ms < t3.5
    };
    SECTION("is tolerated by default, like the meter") {
        RtuFrameReceiver rx(RtuFrameReceiver::options_for(line_9600));
        split_by_gap(rx);
        CHECK(frames_of(rx) == Strings{hex(read_10)});
    }
    SECTION("breaks the frame with strict_t15, up to the next t3.5 of silence") {
        RtuFrameReceiver rx(RtuFrameReceiver::options_for(line_9600, true));
        split_by_gap(rx);
        CHECK(rx.take_frames().empty());
        rx.on_bytes(read_10, t0 + 3ms);  // still inside the broken frame: dropped
        CHECK(rx.take_frames().empty());
        rx.on_bytes(read_10, t0 + 10ms);  // after silence: a new frame
        CHECK(frames_of(rx) == Strings{hex(read_10)});
        CHECK(rx.stats().broken_frames == 1);
        CHECK(rx.stats().garbage_bytes == 16);
    }
}
