// One line carrying Modbus RTU and DNP3: the splitter that sends each frame's bytes to
// the right receiver, and the command line that asks for such a line.
#include <catch2/catch.hpp>

#include <initializer_list>
#include <vector>

#include "gridgate/sim/mixed_line_splitter.hpp"
#include "gridgate/sim/sim_options.hpp"

namespace {

using namespace gridgate;
using namespace gridgate::sim;
using std::chrono::microseconds;
using std::chrono::milliseconds;

const LineDuration silence = milliseconds(2);
const Duration dnp3_gap = milliseconds(1000);
const SteadyTime t0 = SteadyTime{} + std::chrono::hours(1);

std::vector<std::byte> bytes(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (const int v : values) out.push_back(static_cast<std::byte>(v));
    return out;
}

std::vector<std::byte> concat(std::vector<std::byte> a, const std::vector<std::byte>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// FC03 to slave `address`, 2 registers at 0 (the CRC is not the splitter's business).
std::vector<std::byte> fc03(int address) { return bytes({address, 0x03, 0x00, 0x00, 0x00, 0x02, 0xC4, 0x0B}); }

// A DNP3 link frame with `user_data` octets: header, then blocks of 16 with their CRCs.
std::vector<std::byte> dnp3_frame(std::size_t user_data) {
    std::vector<std::byte> out = bytes({0x05, 0x64, static_cast<int>(5 + user_data), 0xC4, 0x03, 0x00, 0x01, 0x00, 0xAA,
                                        0xBB});
    for (std::size_t i = 0; i < user_data; ++i) {
        out.push_back(static_cast<std::byte>(0xC0 + i % 16));
        if (i % 16 == 15 || i + 1 == user_data) {
            out.push_back(std::byte{0x11});
            out.push_back(std::byte{0x22});
        }
    }
    return out;
}

}  // namespace

TEST_CASE("dnp3_frame_length follows the LEN octet and the 16-octet blocks") {
    CHECK(dnp3_frame_length(5) == 10);
    CHECK(dnp3_frame_length(6) == 13);
    CHECK(dnp3_frame_length(21) == 28);
    CHECK(dnp3_frame_length(22) == 31);
    CHECK(dnp3_frame_length(255) == 292);
    CHECK(dnp3_frame_length(4) == 10);  // invalid: the header alone
    CHECK(dnp3_frame(0).size() == dnp3_frame_length(5));
    CHECK(dnp3_frame(17).size() == dnp3_frame_length(22));
}

TEST_CASE("Modbus and DNP3 frames in one read are split at the frame boundary") {
    MixedLineSplitter splitter(silence, dnp3_gap);
    const auto modbus = fc03(1);
    const auto dnp3 = dnp3_frame(20);
    const auto segments = splitter.on_bytes(concat(concat(modbus, dnp3), fc03(2)), t0);
    REQUIRE(segments.size() == 3);
    CHECK(segments[0].protocol == LineProtocol::modbus);
    CHECK(segments[0].bytes == modbus);
    CHECK(segments[1].protocol == LineProtocol::dnp3);
    CHECK(segments[1].bytes == dnp3);
    CHECK(segments[2].protocol == LineProtocol::modbus);
    CHECK(segments[2].bytes == fc03(2));
    CHECK(segments[2].at == t0);
    CHECK(splitter.dnp3_frames() == 1);
}

TEST_CASE("a DNP3 frame arriving a byte at a time stays DNP3, and slave 5's request after it is Modbus") {
    MixedLineSplitter splitter(silence, dnp3_gap);
    const auto dnp3 = dnp3_frame(40);
    std::vector<std::byte> dnp3_seen;
    SteadyTime now = t0;
    for (const std::byte b : dnp3) {
        now += microseconds(300);
        for (const LineSegment& s : splitter.on_bytes(std::span<const std::byte>(&b, 1), now)) {
            REQUIRE(s.protocol == LineProtocol::dnp3);
            dnp3_seen.insert(dnp3_seen.end(), s.bytes.begin(), s.bytes.end());
        }
    }
    CHECK(dnp3_seen == dnp3);
    // 0x05 then 0x03: Modbus slave 5, even when the 0x05 came alone in the read before.
    const auto request = fc03(5);
    CHECK(splitter.on_bytes(std::span<const std::byte>(request).first(1), now + microseconds(100)).empty());
    const auto rest = splitter.on_bytes(std::span<const std::byte>(request).subspan(1), now + microseconds(200));
    REQUIRE(rest.size() == 2);
    CHECK(rest[0].protocol == LineProtocol::modbus);
    CHECK(rest[0].bytes == bytes({0x05}));
    CHECK(rest[0].at == now + microseconds(100));
    CHECK(rest[1].protocol == LineProtocol::modbus);
    CHECK(rest[1].bytes.size() == request.size() - 1);
}

TEST_CASE("a lone 0x05 followed by silence goes to Modbus with its own time") {
    MixedLineSplitter splitter(silence, dnp3_gap);
    CHECK(splitter.on_bytes(bytes({0x05}), t0).empty());
    const auto segments = splitter.on_bytes(fc03(1), t0 + milliseconds(5));
    REQUIRE(segments.size() == 2);
    CHECK(segments[0].protocol == LineProtocol::modbus);
    CHECK(segments[0].bytes == bytes({0x05}));
    CHECK(segments[0].at == t0);
    CHECK(segments[1].protocol == LineProtocol::modbus);
    CHECK(segments[1].bytes == fc03(1));
    CHECK(segments[1].at == t0 + milliseconds(5));
}

TEST_CASE("a Modbus frame without a length rule lasts until the line falls silent") {
    MixedLineSplitter splitter(silence, dnp3_gap);
    // Function 0x41 has no length rule: 05 64 right behind it is still its data...
    auto segments = splitter.on_bytes(bytes({0x01, 0x41, 0x05, 0x64, 0x05}), t0);
    REQUIRE(segments.size() == 1);
    CHECK(segments[0].protocol == LineProtocol::modbus);
    CHECK(segments[0].bytes.size() == 5);
    segments = splitter.on_bytes(bytes({0x64}), t0 + microseconds(500));
    REQUIRE(segments.size() == 1);
    CHECK(segments[0].protocol == LineProtocol::modbus);
    // ...but after t3.5 of silence the next 05 64 starts a DNP3 frame.
    segments = splitter.on_bytes(dnp3_frame(0), t0 + milliseconds(3));
    REQUIRE(segments.size() == 1);
    CHECK(segments[0].protocol == LineProtocol::dnp3);
    CHECK(splitter.dnp3_frames() == 1);
}

TEST_CASE("a DNP3 frame cut short is given up after the inter-character timeout") {
    MixedLineSplitter splitter(silence, dnp3_gap);
    const auto dnp3 = dnp3_frame(10);
    auto segments = splitter.on_bytes(std::span<const std::byte>(dnp3).first(12), t0);
    REQUIRE(segments.size() == 1);
    CHECK(segments[0].protocol == LineProtocol::dnp3);
    // Shorter gaps than the timeout keep the frame going (DNP3 does not time characters).
    segments = splitter.on_bytes(bytes({0x01}), t0 + milliseconds(500));
    REQUIRE(segments.size() == 1);
    CHECK(segments[0].protocol == LineProtocol::dnp3);
    segments = splitter.on_bytes(fc03(1), t0 + milliseconds(1600));
    REQUIRE(segments.size() == 1);
    CHECK(segments[0].protocol == LineProtocol::modbus);
    CHECK(segments[0].bytes == fc03(1));
    CHECK(splitter.dnp3_frames() == 0);
}

namespace {
CommandLine parse(std::vector<const char*> args) {
    args.insert(args.begin(), "metersim");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}
}  // namespace

TEST_CASE("dnp3-on-rtu-line or a dnp3-serial device equal to the rtu device shares the RTU line") {
    auto cli = parse({"--rtu-pty", "--slaves", "1-2", "--dnp3-on-rtu-line", "--dnp3-slaves", "3-4"});
    REQUIRE(cli.outcome == CommandLine::Outcome::run);
    CHECK(cli.options.dnp3_on_rtu_line);
    CHECK(cli.options.dnp3_serial_enabled());
    CHECK(cli.options.dnp3_slaves == std::vector<std::uint16_t>{3, 4});

    cli = parse({"--rtu", "/dev/ttyX", "--dnp3-serial", "/dev/ttyX"});
    REQUIRE(cli.outcome == CommandLine::Outcome::run);
    CHECK(cli.options.dnp3_on_rtu_line);

    // Two ptys stay two lines, as before.
    cli = parse({"--rtu-pty", "--dnp3-serial-pty"});
    REQUIRE(cli.outcome == CommandLine::Outcome::run);
    CHECK_FALSE(cli.options.dnp3_on_rtu_line);
    cli = parse({"--rtu", "/dev/ttyX", "--dnp3-serial", "/dev/ttyY"});
    REQUIRE(cli.outcome == CommandLine::Outcome::run);
    CHECK_FALSE(cli.options.dnp3_on_rtu_line);

    cli = parse({"--dnp3-on-rtu-line"});
    CHECK(cli.outcome == CommandLine::Outcome::error);
    CHECK(cli.text.find("--rtu") != std::string::npos);
    cli = parse({"--rtu-pty", "--dnp3-on-rtu-line", "--dnp3-serial-pty"});
    CHECK(cli.outcome == CommandLine::Outcome::error);
    cli = parse({"--rtu", "/dev/ttyX", "--dnp3-on-rtu-line", "--dnp3-serial", "/dev/ttyY"});
    CHECK(cli.outcome == CommandLine::Outcome::error);
}
