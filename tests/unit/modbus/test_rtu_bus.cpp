// RtuBus (the master on a strand) over an in-memory line played by the test.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <set>

#include "frames.hpp"
#include "gridgate/core/clock.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/modbus/meter_poller.hpp"
#include "gridgate/modbus/rtu_bus.hpp"
#include "gridgate/modbus/rtu_frame.hpp"
#include "gridgate/transport/memory_channel.hpp"

using namespace gridgate;
using namespace gridgate::modbus;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// Runs the io_context until `done` holds; the guard only stops a broken test hanging.
bool run_until(asio::io_context& io, const std::function<bool()>& done) {
    const auto guard = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
        if (std::chrono::steady_clock::now() > guard) return false;
        io.run_one_for(20ms);
        if (io.stopped()) io.restart();
    }
    return true;
}

// A bus on a MemoryChannel whose slaves answer every read with register i = base + address + i.
struct MemoryBus {
    explicit MemoryBus(RtuBusOptions options = fast_options()) {
        bus = std::make_unique<RtuBus>(
            io.get_executor(),
            [this](const asio::any_io_executor& strand) {
                auto ch = std::make_unique<transport::MemoryChannel>(strand);
                line = ch.get();
                return ch;
            },
            std::move(options), null_logger());
        line->on_transmit([this](std::span<const std::byte> frame) { answer(frame); });
    }

    static RtuBusOptions fast_options() {
        RtuBusOptions o;
        o.name = "memory";
        o.baud = 115200;
        o.reopen_min = 1ms;
        o.reopen_max = 2ms;
        return o;
    }

    void answer(std::span<const std::byte> frame) {
        const auto decoded = decode_rtu_adu(frame);
        const auto& f = std::get<RtuFrame>(decoded);
        if (silent_units.count(f.address)) return;
        const auto req = std::get<ReadRequest>(std::get<Request>(decode_request(f.pdu)));
        std::vector<std::uint16_t> regs;
        for (std::uint16_t i = 0; i < req.count; ++i) regs.push_back(static_cast<std::uint16_t>(1000 + req.address + i));
        line->deliver(encode_rtu_adu(f.address, encode_register_response(req.function, regs)));
    }

    TransactionResult read(std::uint8_t unit, ReadRequest req, Duration timeout = 1s) {
        std::optional<TransactionResult> result;
        bus->submit(ReadCall{unit, req, timeout, "m", Priority::normal}, [&](TransactionResult r) { result = r; });
        REQUIRE(run_until(io, [&] { return result.has_value(); }));
        return *result;
    }

    void stop() {
        bool done = false;
        bus->stop([&] { done = true; });
        REQUIRE(run_until(io, [&] { return done; }));
    }

    asio::io_context io;
    transport::MemoryChannel* line = nullptr;
    std::set<std::uint8_t> silent_units;
    std::unique_ptr<RtuBus> bus;
};

constexpr ReadRequest holding(std::uint16_t address, std::uint16_t count) {
    return ReadRequest{FunctionCode::read_holding_registers, address, count};
}

}  // namespace

TEST_CASE("a read over the line gets its slave's registers") {
    MemoryBus m;
    const auto r = m.read(3, holding(10, 2));
    REQUIRE(std::holds_alternative<ReadResponse>(r));
    CHECK(std::get<ReadResponse>(r).registers == std::vector<std::uint16_t>{1010, 1011});
    REQUIRE(m.line->transmitted().size() == 1);
    CHECK(m.line->transmitted()[0] == encode_rtu_adu(3, encode_read_request(holding(10, 2))));
    CHECK(m.line->discards() == 1);  // stale input dropped before the request
    const auto s = m.bus->stats();
    CHECK(s.link_up);
    CHECK(s.transactions == 1);
    CHECK(s.replies == 1);
    m.stop();
}

TEST_CASE("a silent slave times out on the bus's timer") {
    MemoryBus m;
    m.silent_units.insert(4);
    const auto r = m.read(4, holding(0, 1), 30ms);
    REQUIRE(std::holds_alternative<TransactionError>(r));
    CHECK(std::get<TransactionError>(r) == TransactionError::timeout);
    CHECK(m.bus->stats().timeouts == 1);
    // The line is still usable for the others.
    CHECK(std::holds_alternative<ReadResponse>(m.read(5, holding(0, 1))));
    m.stop();
}

TEST_CASE("reads fail fast while the line cannot be opened, and work once it can") {
    asio::io_context io;
    transport::MemoryChannel* line = nullptr;
    auto options = MemoryBus::fast_options();
    RtuBus bus(
        io.get_executor(),
        [&](const asio::any_io_executor& strand) {
            auto ch = std::make_unique<transport::MemoryChannel>(strand);
            ch->fail_opens(asio::error::no_such_device);
            line = ch.get();
            return ch;
        },
        options, null_logger());
    REQUIRE(run_until(io, [&] { return bus.stats().link_failures > 0; }));

    std::optional<TransactionResult> result;
    bus.submit(ReadCall{1, holding(0, 1), 1s, "m", Priority::normal}, [&](TransactionResult r) { result = r; });
    REQUIRE(run_until(io, [&] { return result.has_value(); }));
    // Either the failed state answered at once, or a retry was opening and failed it.
    REQUIRE(std::holds_alternative<TransactionError>(*result));
    CHECK(std::get<TransactionError>(*result) == TransactionError::connect_failed);

    asio::post(bus.executor(), [&] {
        line->fail_opens({});
        line->on_transmit([&](std::span<const std::byte>) {
            const std::uint16_t value = 42;
            line->deliver(encode_rtu_adu(1, encode_register_response(FunctionCode::read_holding_registers, {&value, 1})));
        });
    });
    REQUIRE(run_until(io, [&] { return bus.stats().link_up; }));
    result.reset();
    bus.submit(ReadCall{1, holding(0, 1), 1s, "m", Priority::normal}, [&](TransactionResult r) { result = r; });
    REQUIRE(run_until(io, [&] { return result.has_value(); }));
    REQUIRE(std::holds_alternative<ReadResponse>(*result));
    CHECK(std::get<ReadResponse>(*result).registers == std::vector<std::uint16_t>{42});
    CHECK(line->opens() >= 2);

    bool stopped = false;
    bus.stop([&] { stopped = true; });
    REQUIRE(run_until(io, [&] { return stopped; }));
}

TEST_CASE("a line lost mid-transaction fails that read and is re-opened") {
    MemoryBus m;
    m.silent_units.insert(7);
    std::optional<TransactionResult> lost;
    m.bus->submit(ReadCall{7, holding(0, 1), 5s, "m", Priority::normal}, [&](TransactionResult r) { lost = r; });
    REQUIRE(run_until(m.io, [&] { return m.bus->stats().transactions == 1; }));
    asio::post(m.bus->executor(), [&] { m.line->break_line(asio::error::eof); });
    REQUIRE(run_until(m.io, [&] { return lost.has_value(); }));
    REQUIRE(std::holds_alternative<TransactionError>(*lost));
    CHECK(std::get<TransactionError>(*lost) == TransactionError::disconnected);

    REQUIRE(run_until(m.io, [&] { return m.bus->stats().link_up; }));
    CHECK(std::holds_alternative<ReadResponse>(m.read(2, holding(0, 1))));
    CHECK(m.bus->stats().link_losses == 1);
    m.stop();
}

TEST_CASE("stop cancels what is queued, closes the line, and refuses later reads") {
    MemoryBus m;
    m.silent_units.insert(1);
    std::optional<TransactionResult> first, second;
    m.bus->submit(ReadCall{1, holding(0, 1), 50ms, "m", Priority::normal}, [&](TransactionResult r) { first = r; });
    m.bus->submit(ReadCall{2, holding(0, 1), 50ms, "m", Priority::normal}, [&](TransactionResult r) { second = r; });
    REQUIRE(run_until(m.io, [&] { return m.bus->stats().transactions == 1; }));
    m.stop();
    REQUIRE(first);
    REQUIRE(second);
    CHECK(std::get<TransactionError>(*first) == TransactionError::timeout);  // allowed to end
    CHECK(std::get<TransactionError>(*second) == TransactionError::cancelled);
    CHECK_FALSE(m.line->is_open());
    const auto late = m.read(2, holding(0, 1));
    CHECK(std::get<TransactionError>(late) == TransactionError::cancelled);
}

TEST_CASE("a meter poller runs unchanged on the RTU bus") {
    MemoryBus m;
    MeterOptions options;
    options.meter_id = "jem5";
    options.unit_id = 5;
    options.source = Source::modbus_rtu;
    options.priority = Priority::high;
    std::vector<PointDef> points{{"kwh", Table::holding_register, 0, DataType::u32, 0.001, 0, "kWh"},
                                 {"v", Table::holding_register, 10, DataType::u16, 1, 0, "V"}};
    options.plan.max_gap = 0;
    FakeClock clock;
    MeterPoller poller(*m.bus, clock, options, points);
    std::optional<PollOutcome> outcome;
    poller.poll([&](PollOutcome o) { outcome = std::move(o); });
    REQUIRE(run_until(m.io, [&] { return outcome.has_value(); }));
    CHECK(outcome->blocks_ok == 2);
    REQUIRE(outcome->readings.size() == 2);
    CHECK(outcome->readings[0].value == Approx((1000.0 * 65536 + 1001) * 0.001));
    CHECK(outcome->readings[0].source == Source::modbus_rtu);
    CHECK(outcome->readings[1].value == 1010);
    m.stop();
}

TEST_CASE("a backed-off meter's poll ends at its first block") {
    RtuBusOptions options = MemoryBus::fast_options();
    options.health.timeouts_before_backoff = 1;
    options.health.backoff_initial = 10s;
    MemoryBus m(options);
    m.silent_units.insert(6);
    MeterOptions meter;
    meter.meter_id = "dead";
    meter.unit_id = 6;
    meter.response_timeout = 20ms;
    std::vector<PointDef> points{{"a", Table::holding_register, 0, DataType::u16, 1, 0, ""},
                                 {"b", Table::input_register, 0, DataType::u16, 1, 0, ""},
                                 {"c", Table::coil, 0, DataType::boolean, 1, 0, ""}};
    FakeClock clock;
    MeterPoller poller(*m.bus, clock, meter, points);
    std::optional<PollOutcome> outcome;
    poller.poll([&](PollOutcome o) { outcome = std::move(o); });
    REQUIRE(run_until(m.io, [&] { return outcome.has_value(); }));
    CHECK(outcome->blocks_failed == 3);
    CHECK(outcome->last_error.find("backed off") != std::string::npos);
    CHECK(m.bus->stats().transactions == 1);  // one timeout, then the rest skipped
    m.stop();
}

TEST_CASE("destroying a bus that was never stopped is safe") {
    MemoryBus m;
    m.silent_units.insert(1);
    m.bus->submit(ReadCall{1, holding(0, 1), 5s, "m", Priority::normal}, [](TransactionResult) { FAIL("no handler after destruction"); });
    REQUIRE(run_until(m.io, [&] { return m.bus->stats().transactions == 1; }));
    m.bus.reset();
    m.io.restart();
    m.io.poll();
    SUCCEED("no crash, no handler");
}
