// The master's classification of what arrives after an RTU read request.
#include <catch2/catch.hpp>

#include "frames.hpp"
#include "gridgate/modbus/rtu_frame.hpp"
#include "gridgate/modbus/rtu_reply.hpp"

using namespace gridgate::modbus;
using gridgate::modbus::test::hex;

namespace {

constexpr ReadRequest read3{FunctionCode::read_holding_registers, 0x6B, 3};

// Runs the scanner the way the master does: until it asks for more.
struct Outcome {
    std::vector<ReplyScanKind> kinds;  // everything but the final need_more
    std::optional<ResponseResult> reply;
    std::size_t left = 0;              // bytes still undecided
};

Outcome run(std::uint8_t address, const ReadRequest& req, std::vector<std::byte> rx, bool silent) {
    Outcome out;
    std::size_t offset = 0;
    while (offset < rx.size()) {
        const auto r = scan_reply(address, req, std::span<const std::byte>(rx).subspan(offset), silent);
        if (r.kind == ReplyScanKind::need_more) break;
        REQUIRE(r.consumed > 0);
        out.kinds.push_back(r.kind);
        offset += r.consumed;
        if (r.kind == ReplyScanKind::reply) {
            out.reply = r.response;
            break;
        }
    }
    out.left = rx.size() - offset;
    return out;
}

std::vector<std::byte> reply_11() { return hex("11 03 06 AE 41 56 52 43 40 49 AD"); }

std::size_t count(const Outcome& o, ReplyScanKind k) { return std::count(o.kinds.begin(), o.kinds.end(), k); }

}  // namespace

TEST_CASE("the spec's FC03 reply is accepted as soon as its length is complete") {
    const auto out = run(0x11, read3, reply_11(), false);
    REQUIRE(out.reply);
    CHECK(std::get<ReadResponse>(*out.reply).registers == std::vector<std::uint16_t>{0xAE41, 0x5652, 0x4340});
    CHECK(out.kinds == std::vector{ReplyScanKind::reply});
}

TEST_CASE("an exception reply is accepted") {
    const auto adu = encode_rtu_adu(0x11, hex("83 02"));
    const auto out = run(0x11, read3, adu, false);
    REQUIRE(out.reply);
    CHECK(std::get<ExceptionResponse>(*out.reply).code == ExceptionCode::illegal_data_address);
}

TEST_CASE("a truncated reply waits, then is garbage once the line is silent") {
    auto partial = reply_11();
    partial.resize(7);
    const auto waiting = run(0x11, read3, partial, false);
    CHECK(waiting.kinds.empty());
    CHECK(waiting.left == 7);

    const auto ended = run(0x11, read3, partial, true);
    CHECK_FALSE(ended.reply);
    CHECK(ended.left == 0);
    CHECK(count(ended, ReplyScanKind::garbage) == 7);
}

TEST_CASE("a corrupt CRC is a CRC error, never a reply") {
    auto bad = reply_11();
    bad.back() ^= std::byte{0xFF};
    const auto out = run(0x11, read3, bad, true);
    CHECK_FALSE(out.reply);
    CHECK(out.kinds.front() == ReplyScanKind::crc_error);
    CHECK(out.left == 0);
}

TEST_CASE("a corrupt data byte is a CRC error, never a reply") {
    auto bad = reply_11();
    bad[4] ^= std::byte{0x01};
    const auto out = run(0x11, read3, bad, true);
    CHECK_FALSE(out.reply);
    CHECK(count(out, ReplyScanKind::crc_error) >= 1);
}

TEST_CASE("a valid frame from another address is discarded whole") {
    const auto other = encode_rtu_adu(0x12, hex("03 06 00 01 00 02 00 03"));
    const auto out = run(0x11, read3, other, false);
    CHECK_FALSE(out.reply);
    CHECK(out.kinds == std::vector{ReplyScanKind::wrong_address});
    CHECK(out.left == 0);
}

TEST_CASE("the right address with the wrong byte count is a stale reply, not an answer") {
    // A late reply to an earlier 2-register read from the same slave.
    const auto stale = encode_rtu_adu(0x11, hex("03 04 00 01 00 02"));
    const auto out = run(0x11, read3, stale, false);
    CHECK_FALSE(out.reply);
    CHECK(out.kinds == std::vector{ReplyScanKind::unexpected});
}

TEST_CASE("the right address with another function code is unexpected") {
    const auto other_fc = encode_rtu_adu(0x11, hex("04 06 00 01 00 02 00 03"));
    CHECK(run(0x11, read3, other_fc, false).kinds == std::vector{ReplyScanKind::unexpected});
    const auto other_exception = encode_rtu_adu(0x11, hex("84 02"));
    CHECK(run(0x11, read3, other_exception, false).kinds == std::vector{ReplyScanKind::unexpected});
}

TEST_CASE("a wrong-address frame followed by the real reply: the reply is found") {
    auto rx = encode_rtu_adu(0x12, hex("03 06 00 01 00 02 00 03"));
    const auto good = reply_11();
    rx.insert(rx.end(), good.begin(), good.end());
    const auto out = run(0x11, read3, rx, false);
    REQUIRE(out.reply);
    CHECK(out.kinds == std::vector{ReplyScanKind::wrong_address, ReplyScanKind::reply});
}

TEST_CASE("line noise before the reply is skipped byte by byte") {
    for (const char* noise : {"00", "FF", "11", "11 03", "00 11 03 06", "F0 0F 55"}) {
        auto rx = hex(noise);
        const auto good = reply_11();
        rx.insert(rx.end(), good.begin(), good.end());
        const auto out = run(0x11, read3, rx, true);
        INFO("noise " << noise);
        REQUIRE(out.reply);
        CHECK(std::get<ReadResponse>(*out.reply).registers == std::vector<std::uint16_t>{0xAE41, 0x5652, 0x4340});
    }
}

TEST_CASE("the echo of our own request is skipped") {
    auto rx = encode_rtu_adu(0x11, encode_read_request(read3));
    const auto good = reply_11();
    rx.insert(rx.end(), good.begin(), good.end());
    const auto out = run(0x11, read3, rx, true);
    REQUIRE(out.reply);
}

TEST_CASE("trailing garbage after the reply does not spoil it") {
    auto rx = reply_11();
    for (const auto b : hex("DE AD BE EF")) rx.push_back(b);
    const auto out = run(0x11, read3, rx, false);
    REQUIRE(out.reply);
    CHECK(out.left == 4);  // the caller drops them
}

TEST_CASE("random bytes never make a reply") {
    // Deterministic pseudo-random garbage (LCG), scanned as if the line went quiet.
    std::uint32_t state = 12345;
    for (int round = 0; round < 2000; ++round) {
        std::vector<std::byte> rx(1 + round % 40);
        for (auto& b : rx) {
            state = state * 1103515245u + 12345u;
            b = static_cast<std::byte>(state >> 16);
        }
        const auto out = run(0x11, read3, rx, true);
        CHECK_FALSE(out.reply);
        CHECK(out.left == 0);
    }
}

TEST_CASE("an impossible byte count is garbage at once") {
    // Byte count 0xFF would make a 260-byte frame: longer than any RTU frame.
    const auto out = run(0x01, ReadRequest{FunctionCode::read_coils, 0, 8}, hex("01 01 FF"), false);
    CHECK(out.kinds.front() == ReplyScanKind::garbage);
}

TEST_CASE("a prefix of the awaited reply is recognised as such") {
    CHECK(could_be_reply(0x11, read3, hex("11")));
    CHECK(could_be_reply(0x11, read3, hex("11 03")));
    CHECK(could_be_reply(0x11, read3, hex("11 03 06")));
    CHECK(could_be_reply(0x11, read3, hex("11 03 06 AE 41 56 52 43 40 49")));  // one byte short
    CHECK(could_be_reply(0x11, read3, hex("11 83")));                          // an exception on its way
    CHECK(could_be_reply(0x11, read3, hex("11 83 02 C0")));
    CHECK_FALSE(could_be_reply(0x11, read3, hex("")));
    CHECK_FALSE(could_be_reply(0x11, read3, hex("12")));        // another address
    CHECK_FALSE(could_be_reply(0x11, read3, hex("11 04")));     // another function
    CHECK_FALSE(could_be_reply(0x11, read3, hex("11 03 04")));  // another byte count
    CHECK_FALSE(could_be_reply(0x11, read3, reply_11()));       // complete: judged, not waited for
    const ReadRequest coils10{FunctionCode::read_coils, 0, 10};
    CHECK(could_be_reply(0x01, coils10, hex("01 01 02 FF")));
    CHECK_FALSE(could_be_reply(0x01, coils10, hex("01 01 01")));
}
