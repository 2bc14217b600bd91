// Line timing arithmetic: character times, the RTU silences, and the pacing schedule
// of a reply. Pure, times given by the test.
#include <catch2/catch.hpp>

#include "gridgate/sim/line_timing.hpp"
#include "sim_test_helpers.hpp"

using namespace gridgate::sim;
using namespace std::chrono_literals;
using gridgate::SteadyTime;
using sim_test::t0;

namespace {
LineSettings line(std::uint32_t baud, Parity parity = Parity::none, std::uint8_t stop_bits = 1) {
    return LineSettings{baud, 8, parity, stop_bits};
}
}  // namespace

TEST_CASE("line timing: bits per character", "[sim][rtu][timing]") {
    CHECK(bits_per_character(line(9600)) == 10);                   // 8N1
    CHECK(bits_per_character(line(9600, Parity::even)) == 11);     // 8E1, the standard's default
    CHECK(bits_per_character(line(9600, Parity::none, 2)) == 11);  // 8N2
    CHECK(bits_per_character(line(9600, Parity::odd, 2)) == 12);   // 8O2
    CHECK(to_string(line(19200, Parity::even)) == "19200 8E1");
    CHECK(to_string(line(9600, Parity::none, 2)) == "9600 8N2");
}

TEST_CASE("line timing: bytes to duration at 9600, 19200 and 115200", "[sim][rtu][timing]") {
    // 10 bits at 9600 baud = 1041.667 µs per character.
    CHECK(character_time(line(9600)) == 1'041'667ns);
    CHECK(transmit_time(8, line(9600)) == 8'333'333ns);   // an FC03 request
    CHECK(transmit_time(9, line(9600)) == 9'375'000ns);   // its reply for two registers
    CHECK(transmit_time(255, line(9600)) == 265'625'000ns);  // a full 125-register reply
    CHECK(transmit_time(8, line(9600, Parity::even)) == 9'166'667ns);
    CHECK(character_time(line(19200)) == 520'833ns);
    CHECK(transmit_time(8, line(19200)) == 4'166'667ns);
    CHECK(character_time(line(115200)) == 86'806ns);
    CHECK(transmit_time(9, line(115200)) == 781'250ns);
    CHECK(transmit_time(255, line(115200)) == 22'135'417ns);
    CHECK(transmit_time(0, line(9600)) == 0ns);
}

TEST_CASE("line timing: t1.5 and t3.5 in 11-bit characters up to 19200, fixed above", "[sim][rtu][timing]") {
    CHECK(t15(line(9600)) == 1'718'750ns);  // 16.5 bit times
    CHECK(t35(line(9600)) == 4'010'417ns);  // 38.5 bit times
    CHECK(t35(line(9600, Parity::even)) == t35(line(9600)));  // whatever the framing
    CHECK(t15(line(19200)) == 859'375ns);
    CHECK(t35(line(19200)) == 2'005'208ns);
    CHECK(t35(line(1200)) == 32'083'333ns);
    CHECK(t15(line(38400)) == 750us);
    CHECK(t35(line(38400)) == 1750us);
    CHECK(t15(line(115200)) == 750us);
    CHECK(t35(line(115200)) == 1750us);
}

TEST_CASE("line timing: only the standard rates are accepted", "[sim][rtu][timing]") {
    for (const std::uint32_t baud : {1200u, 2400u, 4800u, 9600u, 19200u, 38400u, 57600u, 115200u})
        CHECK(is_standard_baud(baud));
    for (const std::uint32_t baud : {0u, 300u, 14400u, 230400u}) CHECK_FALSE(is_standard_baud(baud));
}

TEST_CASE("pacing: each byte is due when its stop bit is out, the last at N characters", "[sim][rtu][timing]") {
    const PacedTransmission p(t0, 9, line(9600));
    CHECK(p.end() == t0 + 9'375'000ns);
    CHECK(p.due(t0) == 0);
    CHECK(p.due(t0 + 1'041'666ns) == 0);
    CHECK(p.due(t0 + 1'041'667ns) == 1);
    CHECK(p.due(t0 + 5ms) == 4);
    CHECK(p.due(p.end() - 1ns) == 8);
    CHECK(p.due(p.end()) == 9);
    CHECK(p.due(p.end() + 1s) == 9);
    CHECK(p.due(t0 - 1s) == 0);
}

TEST_CASE("pacing: a slow line is written byte by byte", "[sim][rtu][timing]") {
    // At 9600 a character (1.04 ms) is longer than the chunk period (500 µs): every
    // write carries one byte, at the moment it is due.
    const PacedTransmission p(t0, 9, line(9600));
    SteadyTime now = t0;
    std::size_t written = 0;
    std::vector<std::size_t> chunks;
    while (written < p.size()) {
        now = p.next_write(written, now);
        const std::size_t due = p.due(now);
        chunks.push_back(due - written);
        written = due;
    }
    CHECK(chunks == std::vector<std::size_t>(9, 1));
    CHECK(now == p.end());
}

TEST_CASE("pacing: a fast line is written in chunks and still ends on time", "[sim][rtu][timing]") {
    // At 115200 a character is 86.8 µs: the first byte alone as soon as it is out, then
    // 500 µs chunks of 5 or 6 bytes, the last write exactly at the end.
    const PacedTransmission p(t0, 255, line(115200));
    SteadyTime now = t0;
    std::size_t written = 0;
    std::vector<std::size_t> chunks;
    while (written < p.size()) {
        const SteadyTime next = p.next_write(written, now);
        CHECK(next - now <= default_chunk_period);  // never a gap a t1.5 check would see
        now = next;
        const std::size_t due = p.due(now);
        REQUIRE(due > written);
        chunks.push_back(due - written);
        written = due;
    }
    CHECK(now == p.end());
    CHECK(p.end() - t0 == 22'135'417ns);
    REQUIRE(chunks.size() == 46);  // 22.1 ms: the first byte, 44 chunks of 500 µs, the tail
    CHECK(chunks.front() == 1);
    for (std::size_t i = 1; i + 1 < chunks.size(); ++i) CHECK((chunks[i] == 5 || chunks[i] == 6));
}
