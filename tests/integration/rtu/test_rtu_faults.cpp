// Fault injection on a real (pty) line: a scripted slave answers with garbage, wrong
// addresses, bad CRCs, truncated and late replies, and line noise. Whatever it does, no
// wrong value ever comes out of the bus as an answer.
#include <catch2/catch.hpp>

#include "gridgate/core/clock.hpp"
#include "gridgate/modbus/meter_poller.hpp"
#include "rtu_fixture.hpp"
#include "scripted_rtu_slave.hpp"

using namespace gridgate;
using namespace gridgate::modbus;
using namespace gridgate::rtu_test;
using namespace std::chrono_literals;

namespace {

RtuBusOptions patient() {
    RtuBusOptions o;
    o.health.timeouts_before_backoff = 1000;  // keep polling through every fault
    return o;
}

}  // namespace

TEST_CASE("garbage, wrong addresses, bad CRCs, truncated and late replies never produce a wrong value") {
    BusOnPty b(19200, patient());
    constexpr SlaveAction cycle[] = {SlaveAction::answer,        SlaveAction::garbage, SlaveAction::wrong_address,
                                     SlaveAction::bad_crc,       SlaveAction::late,    SlaveAction::noise_then_answer,
                                     SlaveAction::truncated,     SlaveAction::silent};
    ScriptedRtuSlave slave(
        b.line.slave_end(), {1, 2}, [&](std::uint64_t n, std::uint8_t) { return cycle[n % std::size(cycle)]; }, 200ms);

    std::uint64_t answered = 0, failed = 0, wrong = 0;
    for (int round = 0; round < 32; ++round) {
        const auto unit = static_cast<std::uint8_t>(1 + round % 2);
        const auto address = static_cast<std::uint16_t>(round * 3);
        const auto count = static_cast<std::uint16_t>(2 + round % 3);
        // 150 ms: the late reply (200 ms) misses it, and the next request, which the slave
        // only reads after writing that late reply, still has 100 ms to be answered.
        const auto r = b.read(unit, holding(address, count), 150ms);
        if (const auto* data = std::get_if<ReadResponse>(&r)) {
            ++answered;
            for (std::uint16_t i = 0; i < count; ++i)
                if (data->registers.at(i) != right_value(unit, static_cast<std::uint16_t>(address + i))) ++wrong;
        } else {
            ++failed;
        }
    }
    CHECK(wrong == 0);
    const auto actions = slave.actions();
    INFO("answered " << answered << ", failed " << failed);
    // Every right answer (plain or after noise) came through; nothing else did.
    CHECK(answered == actions.at(SlaveAction::answer) + actions.at(SlaveAction::noise_then_answer));
    const auto s = b.bus->stats();
    CHECK(s.crc_errors >= actions.at(SlaveAction::bad_crc));
    CHECK(s.wrong_address >= actions.at(SlaveAction::wrong_address));
    CHECK(s.garbage_bytes > 0);
    CHECK(s.timeouts == failed);
}

TEST_CASE("a late reply of the same shape to the same slave is never taken for the next answer") {
    // Every other request is answered late with wrong values, and the next request to
    // the same slave has the same shape: only the late-reply guard keeps them apart. The
    // guard is set well past the lateness so a slow test host cannot blur the line.
    auto options = patient();
    options.late_reply_guard = 300ms;
    BusOnPty b(19200, options);
    ScriptedRtuSlave slave(
        b.line.slave_end(), {5},
        [](std::uint64_t n, std::uint8_t) { return n % 2 == 0 ? SlaveAction::late : SlaveAction::answer; }, 150ms);
    std::uint64_t answered = 0;
    for (int round = 0; round < 10; ++round) {
        const auto r = b.read(5, holding(static_cast<std::uint16_t>(round % 2), 4), 100ms);
        if (const auto* data = std::get_if<ReadResponse>(&r)) {
            ++answered;
            CHECK(data->registers == sequence(right_value(5, static_cast<std::uint16_t>(round % 2)), 4));
        }
    }
    CHECK(answered == 5);
    CHECK(b.bus->stats().garbage_bytes > 0);  // the late replies, dropped
}

TEST_CASE("a meter poll through a faulty line: failed blocks are reported, good ones are right") {
    BusOnPty b(19200, patient());
    ScriptedRtuSlave slave(
        b.line.slave_end(), {3},
        [](std::uint64_t n, std::uint8_t) { return n % 3 == 1 ? SlaveAction::bad_crc : SlaveAction::answer; }, 0ms);
    MeterOptions options;
    options.meter_id = "faulty";
    options.unit_id = 3;
    options.response_timeout = 100ms;
    options.plan.max_registers = 2;
    std::vector<PointDef> points;
    for (std::uint16_t a = 0; a < 12; a += 2)
        points.push_back({"c" + std::to_string(a), Table::holding_register, a, DataType::u32, 1, 0, ""});
    SystemClock clock;
    MeterPoller poller(*b.bus, clock, options, points);
    std::optional<PollOutcome> outcome;
    poller.poll([&](PollOutcome o) { outcome = std::move(o); });
    REQUIRE(run_until(b.io, [&] { return outcome.has_value(); }));
    CHECK(outcome->blocks_ok == 4);
    CHECK(outcome->blocks_failed == 2);
    CHECK(outcome->last_error.find("timeout") != std::string::npos);
    for (const auto& r : outcome->readings) {
        const auto a = static_cast<std::uint16_t>(std::stoi(r.point.substr(1)));
        CHECK(r.value == double(right_value(3, a)) * 65536 + right_value(3, static_cast<std::uint16_t>(a + 1)));
    }
}
