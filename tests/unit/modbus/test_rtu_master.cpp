// The RTU master state machine, driven by hand under a FakeClock.
#include <catch2/catch.hpp>

#include "rtu_master_harness.hpp"

using namespace gridgate;
using namespace gridgate::modbus;
using namespace gridgate::modbus::test;
using namespace std::chrono_literals;

namespace {

// Unit and request of a transmitted frame (decoded with the server-side codec).
std::pair<std::uint8_t, ReadRequest> parse(const std::vector<std::byte>& frame) {
    const auto decoded = decode_rtu_adu(frame);
    const auto& f = std::get<RtuFrame>(decoded);
    const auto req = decode_request(f.pdu);
    return {f.address, std::get<ReadRequest>(std::get<Request>(req))};
}

// Answers every transmission correctly, in order; returns the units served.
std::vector<int> serve_all(Harness& h) {
    std::vector<int> units;
    while (auto frame = h.next_transmission()) {
        const auto [unit, req] = parse(*frame);
        units.push_back(unit);
        h.advance(1ms);
        h.receive(reply_for(unit, req));
    }
    return units;
}

}  // namespace

TEST_CASE("a read goes out at once on a quiet line and its reply completes it") {
    Harness h;
    h.submit(1, 5, holding(0, 2));
    const auto tx = h.transmit();
    REQUIRE(tx);
    CHECK(*tx == request_frame(5, holding(0, 2)));
    h.receive(reply_for(5, holding(0, 2)));
    REQUIRE(h.response(1));
    CHECK(h.response(1)->registers == std::vector<std::uint16_t>{1000, 1001});
    const auto s = h.master.stats();
    CHECK(s.transactions == 1);
    CHECK(s.replies == 1);
    CHECK(s.garbage_bytes == 0);
}

TEST_CASE("one transaction at a time, with t3.5 of silence after the last byte") {
    Harness h;
    h.submit(1, 1, holding(0, 1));
    h.submit(2, 2, holding(0, 1));
    CHECK(h.io.pending_tx.size() == 1);
    REQUIRE(h.transmit());
    CHECK(h.io.pending_tx.empty());  // the second waits for the first
    h.advance(3ms);
    h.receive(reply_for(1, holding(0, 1)));
    REQUIRE(h.response(1));
    CHECK(h.io.pending_tx.empty());  // t3.5 at 19200 baud is 2006 us
    h.advance(2005us);
    CHECK(h.io.pending_tx.empty());
    h.advance(1us);
    CHECK(h.io.pending_tx.size() == 1);
}

TEST_CASE("the turnaround delay adds to the silence") {
    auto options = test_options();
    options.turnaround_delay = 5ms;
    Harness h(options);
    h.submit(1, 1, holding(0, 1));
    h.submit(2, 1, holding(1, 1));
    REQUIRE(h.transmit());
    h.receive(reply_for(1, holding(0, 1)));
    h.advance(7005us);
    CHECK(h.io.pending_tx.empty());
    h.advance(1us);
    CHECK(h.io.pending_tx.size() == 1);
}

TEST_CASE("high priority reads go before normal and low ones") {
    Harness h;
    h.submit(0, 9, holding(0, 1));  // occupies the line
    REQUIRE(h.transmit());
    h.submit(1, 1, holding(0, 1), 100ms, Priority::low);
    h.submit(2, 2, holding(0, 1), 100ms, Priority::normal);
    h.submit(3, 3, holding(0, 1), 100ms, Priority::high);
    h.receive(reply_for(9, holding(0, 1)));
    CHECK(serve_all(h) == std::vector<int>{3, 2, 1});
}

TEST_CASE("slaves take turns, and a slave's blocks keep their order") {
    Harness h;
    h.submit(0, 9, holding(0, 1));
    REQUIRE(h.transmit());
    for (int i = 0; i < 3; ++i) h.submit(10 + i, 1, holding(static_cast<std::uint16_t>(i * 10), 2));
    for (int i = 0; i < 3; ++i) h.submit(20 + i, 2, holding(static_cast<std::uint16_t>(i * 10), 2));
    h.receive(reply_for(9, holding(0, 1)));
    CHECK(serve_all(h) == std::vector<int>{1, 2, 1, 2, 1, 2});
    for (int i = 0; i < 3; ++i) {
        REQUIRE(h.response(10 + i));
        CHECK(h.response(10 + i)->registers.front() == 1000 + i * 10);
    }
}

TEST_CASE("a reply that arrives before the transmission is reported done is kept") {
    // A pty delivers the request at once; the slave may answer before our drain ends.
    Harness h;
    h.submit(1, 4, holding(7, 3));
    REQUIRE(h.io.pending_tx.size() == 1);
    h.io.pending_tx.clear();
    h.master.on_transmit_started();
    h.master.on_received(reply_for(4, holding(7, 3)));
    CHECK_FALSE(h.result(1));
    h.master.on_transmitted();
    h.settle();
    REQUIRE(h.response(1));
    CHECK(h.response(1)->registers == std::vector<std::uint16_t>{1007, 1008, 1009});
}

TEST_CASE("bytes that arrive before our request goes out are stale and dropped") {
    Harness h;
    h.submit(1, 4, holding(7, 3), 50ms);
    h.io.pending_tx.clear();
    // Still flushing: even a perfectly shaped reply cannot answer a request not yet sent.
    h.master.on_received(reply_for(4, holding(7, 3)));
    h.master.on_transmit_started();
    h.master.on_transmitted();
    h.settle();
    CHECK_FALSE(h.result(1));
    h.advance(50ms);
    CHECK(h.error(1) == TransactionError::timeout);
    CHECK(h.master.stats().garbage_bytes == reply_for(4, holding(7, 3)).size());
}

TEST_CASE("a wrong-address reply is discarded and the read times out") {
    Harness h;
    h.submit(1, 5, holding(0, 2), 100ms);
    REQUIRE(h.transmit());
    h.receive(reply_for(7, holding(0, 2)));
    CHECK_FALSE(h.result(1));
    h.advance(100ms);
    CHECK(h.error(1) == TransactionError::timeout);
    const auto s = h.master.stats();
    CHECK(s.wrong_address == 1);
    CHECK(s.timeouts == 1);
}

TEST_CASE("a reply with a bad CRC is counted and never used") {
    Harness h;
    h.submit(1, 5, holding(0, 2), 100ms);
    REQUIRE(h.transmit());
    auto bad = reply_for(5, holding(0, 2));
    bad[4] ^= std::byte{0x10};
    h.receive(bad);
    h.advance(100ms);
    CHECK(h.error(1) == TransactionError::timeout);
    const auto s = h.master.stats();
    CHECK(s.crc_errors == 1);
    CHECK(s.garbage_bytes == bad.size());
}

TEST_CASE("noise that never completes a frame is dropped at the frame gap; the reply still counts") {
    Harness h;
    h.submit(1, 5, holding(0, 2), 100ms);
    REQUIRE(h.transmit());
    h.receive(hex("DE AD"));
    CHECK(h.master.next_deadline() == h.clock.steady_now() + 2006us);  // frame gap = t3.5
    h.advance(2006us);
    CHECK(h.master.stats().garbage_bytes == 2);
    h.advance(10ms);
    h.receive(reply_for(5, holding(0, 2)));
    REQUIRE(h.response(1));
}

TEST_CASE("a reply interrupted by a gap longer than t3.5 still completes, unless strict") {
    // A loaded host, a USB adapter or a device server can stall a frame for milliseconds.
    for (const bool strict : {false, true}) {
        auto options = test_options();
        options.strict_frame_gap = strict;
        Harness h(options);
        h.submit(1, 5, holding(0, 4), 100ms);
        REQUIRE(h.transmit());
        const auto reply = reply_for(5, holding(0, 4));
        h.receive(std::vector<std::byte>(reply.begin(), reply.begin() + 6));
        h.advance(20ms);  // ten times t3.5
        h.receive(std::vector<std::byte>(reply.begin() + 6, reply.end()));
        INFO("strict " << strict);
        if (strict) {
            h.advance(3ms);  // the second part cannot start a frame either
            CHECK_FALSE(h.result(1));
            CHECK(h.master.stats().garbage_bytes == reply.size());
        } else {
            REQUIRE(h.response(1));
            CHECK(h.master.stats().garbage_bytes == 0);
        }
    }
}

TEST_CASE("a reply split across reads is reassembled") {
    Harness h;
    h.submit(1, 5, holding(0, 4));
    REQUIRE(h.transmit());
    const auto reply = reply_for(5, holding(0, 4));
    for (const auto b : reply) {
        CHECK_FALSE(h.result(1));
        h.advance(500us);  // shorter than the frame gap
        h.receive({b});
    }
    REQUIRE(h.response(1));
    CHECK(h.response(1)->registers.size() == 4);
}

TEST_CASE("an exception reply is an answer") {
    Harness h;
    h.submit(1, 5, holding(0, 2));
    REQUIRE(h.transmit());
    h.receive(encode_rtu_adu(5, hex("83 02")));
    const auto* r = h.result(1);
    REQUIRE(r);
    REQUIRE(std::holds_alternative<ExceptionResponse>(*r));
    CHECK(std::get<ExceptionResponse>(*r).code == ExceptionCode::illegal_data_address);
    CHECK(h.master.stats().exceptions == 1);
}

TEST_CASE("after a timeout the slave is not asked again until the late-reply guard passes") {
    Harness h;
    h.submit(1, 1, holding(0, 2), 100ms);
    REQUIRE(h.transmit());
    h.advance(100ms);
    REQUIRE(h.error(1) == TransactionError::timeout);

    // Block B of the same meter has the same shape as block A: a late reply to A must
    // never be taken for B's, so B waits for the guard while meter 2 is served.
    h.submit(2, 1, holding(2, 2), 100ms);
    h.submit(3, 2, holding(0, 2), 100ms);
    auto frame = h.next_transmission();
    REQUIRE(frame);
    CHECK(parse(*frame).first == 2);
    h.advance(20ms);
    h.receive(reply_for(1, holding(0, 2)));  // A's late reply, during meter 2's transaction
    CHECK_FALSE(h.result(3));
    CHECK(h.master.stats().wrong_address == 1);
    h.receive(reply_for(2, holding(0, 2)));
    REQUIRE(h.response(3));

    frame = h.next_transmission();
    REQUIRE(frame);
    CHECK(parse(*frame).first == 1);
    CHECK(h.clock.steady_now() >= SteadyTime{} + 1s + 200ms);  // 100 ms timeout + 100 ms guard
    h.receive(reply_for(1, holding(2, 2)));
    REQUIRE(h.response(2));
    CHECK(h.response(2)->registers == std::vector<std::uint16_t>{1002, 1003});
}

TEST_CASE("a late reply on an idle line is dropped and delays the next request") {
    Harness h;
    h.submit(1, 1, holding(0, 2), 100ms);
    REQUIRE(h.transmit());
    h.advance(100ms);
    REQUIRE(h.error(1) == TransactionError::timeout);
    h.advance(150ms);  // guard over; the line is idle
    const auto late = reply_for(1, holding(0, 2));
    h.receive(late);
    CHECK(h.master.stats().garbage_bytes == late.size());
    const auto late_at = h.clock.steady_now();
    h.submit(2, 1, holding(0, 2), 100ms);
    CHECK(h.io.pending_tx.empty());
    const auto frame = h.next_transmission();
    REQUIRE(frame);
    CHECK(h.clock.steady_now() - late_at >= 2006us);
    h.receive(reply_for(1, holding(0, 2), 5000));
    REQUIRE(h.response(2));
    CHECK(h.response(2)->registers.front() == 5000);
}

TEST_CASE("a slave that keeps timing out is backed off, fails fast, and comes back by itself") {
    Harness h;
    h.submit(1, 3, holding(0, 1), 100ms);
    REQUIRE(h.transmit());
    h.advance(100ms);
    h.submit(2, 3, holding(0, 1), 100ms);
    h.submit(3, 3, holding(1, 1), 100ms);  // queued behind 2
    REQUIRE(h.next_transmission());
    h.advance(100ms);
    CHECK(h.error(2) == TransactionError::timeout);
    CHECK(h.error(3) == TransactionError::backed_off);  // queued when the backoff began

    h.submit(4, 3, holding(0, 1), 100ms);
    CHECK(h.error(4) == TransactionError::backed_off);  // fails at once
    CHECK(h.io.pending_tx.empty());
    auto s = h.master.stats();
    REQUIRE(s.slaves.size() == 1);
    CHECK(s.slaves[0].backed_off);
    CHECK(s.slaves[0].consecutive_timeouts == 2);
    CHECK(s.slaves[0].backoff_remaining <= 1s);
    CHECK(s.backed_off_skips == 2);

    h.advance(1s);  // the first period is at most 1 s
    h.submit(5, 3, holding(0, 1), 100ms);  // the probe
    REQUIRE(h.next_transmission());
    h.receive(reply_for(3, holding(0, 1)));
    REQUIRE(h.response(5));
    s = h.master.stats();
    CHECK_FALSE(s.slaves[0].backed_off);
    CHECK(s.slaves[0].consecutive_timeouts == 0);
    h.submit(6, 3, holding(0, 1), 100ms);
    REQUIRE(h.next_transmission());
}

TEST_CASE("a failed probe backs the slave off for longer") {
    Harness h;
    for (int i = 0; i < 2; ++i) {
        h.submit(i, 3, holding(0, 1), 100ms);
        REQUIRE(h.next_transmission());
        h.advance(100ms);
    }
    const auto first = h.master.stats().slaves[0].backoff_remaining;
    h.advance(first);
    h.submit(10, 3, holding(0, 1), 100ms);
    REQUIRE(h.next_transmission());
    h.advance(100ms);
    CHECK(h.error(10) == TransactionError::timeout);
    const auto second = h.master.stats().slaves[0].backoff_remaining;
    CHECK(second >= 1s);  // second ceiling 2 s, jitter down to half
    CHECK(second <= 2s);
}

TEST_CASE("a dead slave costs a small, bounded share of the line") {
    // Meter 2 is polled back to back, meter 1 is dead and polled every second.
    // Timeout 100 ms, backoff up to 16 s: in steady state at most 100 ms per 8 s.
    Harness h;
    const auto start = h.clock.steady_now();
    bool healthy_busy = false, dead_busy = false;
    std::uint64_t healthy_ok = 0, healthy_failed = 0;
    SteadyTime next_dead = start;
    while (h.clock.steady_now() - start < 30min) {
        if (!healthy_busy) {
            healthy_busy = true;
            h.master.submit(ReadCall{2, holding(0, 10), 100ms, "healthy", Priority::normal}, [&](TransactionResult r) {
                healthy_busy = false;
                ++(std::holds_alternative<ReadResponse>(r) ? healthy_ok : healthy_failed);
            });
        }
        if (!dead_busy && h.clock.steady_now() >= next_dead) {
            dead_busy = true;
            h.master.submit(ReadCall{1, holding(0, 10), 100ms, "dead", Priority::normal}, [&](TransactionResult) {
                dead_busy = false;
                next_dead = h.clock.steady_now() + 1s;
            });
        }
        h.settle();
        if (auto frame = h.transmit()) {
            if (parse(*frame).first == 2) {
                h.advance(15ms);  // a 10-register read at 19200 baud, roughly
                h.receive(reply_for(2, holding(0, 10)));
            }
        } else if (!h.advance_to_deadline()) {
            h.advance(1ms);
        }
    }
    const auto s = h.master.stats();
    const auto& dead = s.slaves.at(0);
    REQUIRE(dead.unit_id == 1);
    const double dead_share = static_cast<double>(dead.busy_time.count()) / static_cast<double>(s.elapsed.count());
    INFO("dead slave share " << dead_share * 100 << " %, timeouts " << dead.timeouts);
    CHECK(dead_share < 0.0135);
    CHECK(dead.backed_off_skips > 1000);
    CHECK(healthy_failed == 0);
    CHECK(healthy_ok > 90'000);
}

TEST_CASE("broadcast reads are rejected without touching the line") {
    Harness h;
    h.submit(1, 0, holding(0, 1));
    CHECK(h.error(1) == TransactionError::rejected);
    CHECK(h.io.pending_tx.empty());
    CHECK(h.master.stats().rejected == 1);
}

TEST_CASE("reads wait for the line to open, fail fast while it cannot, and fail when it is lost") {
    Harness h;
    h.master.set_link(LinkState::opening);
    h.submit(1, 1, holding(0, 1));
    CHECK(h.io.pending_tx.empty());
    CHECK_FALSE(h.result(1));
    h.master.set_link(LinkState::up);
    REQUIRE(h.transmit());
    h.submit(2, 1, holding(1, 1));
    h.master.set_link(LinkState::opening);  // lost with read 1 in flight
    h.settle();
    CHECK(h.error(1) == TransactionError::disconnected);
    CHECK_FALSE(h.result(2));  // still queued for the next open
    h.master.set_link(LinkState::failed);
    h.settle();
    CHECK(h.error(2) == TransactionError::connect_failed);
    h.submit(3, 1, holding(0, 1));
    CHECK(h.error(3) == TransactionError::connect_failed);
    const auto s = h.master.stats();
    CHECK(s.link_losses == 2);  // the harness starts with the line up
    CHECK(s.link_failures == 1);
    CHECK_FALSE(s.link_up);
}

TEST_CASE("stop cancels the queue and lets the transaction in flight finish") {
    Harness h;
    h.submit(1, 1, holding(0, 1));
    h.submit(2, 2, holding(0, 1));
    REQUIRE(h.transmit());
    h.master.stop();
    h.settle();
    CHECK(h.error(2) == TransactionError::cancelled);
    CHECK_FALSE(h.master.idle());
    h.receive(reply_for(1, holding(0, 1)));
    REQUIRE(h.response(1));
    CHECK(h.master.idle());
    h.submit(3, 1, holding(0, 1));
    CHECK(h.error(3) == TransactionError::cancelled);
    CHECK(h.io.pending_tx.empty());
}

TEST_CASE("busy time counts the line from request to reply") {
    Harness h;
    h.advance(1s);
    h.submit(1, 1, holding(0, 1));
    REQUIRE(h.transmit());
    h.advance(10ms);
    h.receive(reply_for(1, holding(0, 1)));
    h.advance(90ms);
    const auto s = h.master.stats();
    CHECK(s.busy_time == 10ms);
    CHECK(s.elapsed == 1100ms);
    CHECK(s.utilisation() == Approx(10.0 / 1100.0));
    CHECK(s.slaves.at(0).busy_time == 10ms);
}

TEST_CASE("reads the protocol cannot carry are rejected") {
    Harness h;
    h.submit(1, 1, holding(0, 0));
    h.submit(2, 1, holding(0, 126));
    h.submit(3, 1, ReadRequest{FunctionCode::read_coils, 0, 2001});
    h.submit(4, 1, ReadRequest{FunctionCode::write_multiple_registers, 0, 1});
    for (int id = 1; id <= 4; ++id) CHECK(h.error(id) == TransactionError::rejected);
    CHECK(h.io.pending_tx.empty());
    h.submit(5, 1, ReadRequest{FunctionCode::read_coils, 0, 2000});
    CHECK(h.io.pending_tx.size() == 1);
}
