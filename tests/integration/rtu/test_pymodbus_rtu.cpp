// The RTU bus against python3-pymodbus's RTU slave, over a socat pty pair.
#include <catch2/catch.hpp>

#include "gridgate/core/clock.hpp"
#include "gridgate/modbus/meter_poller.hpp"
#include "gridgate/testing/child_process.hpp"
#include "rtu_fixture.hpp"

#include <map>

using namespace gridgate;
using namespace gridgate::modbus;
using namespace gridgate::rtu_test;
using namespace std::chrono_literals;

namespace {

// pymodbus serving slaves 1 and 2 on the slave end of the bus's line.
struct PymodbusLine : BusOnPty {
    PymodbusLine()
        : server({"/usr/bin/python3", (source_dir() / "pymodbus_rtu_server.py").string(), line.slave_end(), "19200"},
                 dir.file("pymodbus.out"), dir.file("pymodbus.log")) {
        if (!wait_for_output(dir.file("pymodbus.out"), "serving"))
            throw std::runtime_error("pymodbus did not start: " + server.log_text());
    }
    testing::ChildProcess server;
};

}  // namespace

TEST_CASE("FC01..FC04 reads agree with pymodbus's RTU slave") {
    PymodbusLine p;
    CHECK(p.registers(1, holding(0, 10)) == sequence(1000, 10));
    CHECK(p.registers(2, holding(5, 3)) == sequence(2005, 3));
    CHECK(p.registers(1, input(100, 4)) == sequence(2100, 4));
    CHECK(p.registers(2, input(0, 2)) == sequence(4000, 2));
    CHECK(p.bits(1, coils(0, 10)) == std::vector<bool>{1, 0, 0, 1, 0, 0, 1, 0, 0, 1});
    CHECK(p.bits(1, inputs(0, 5)) == std::vector<bool>{1, 0, 1, 0, 1});
    CHECK(p.bits(2, inputs(0, 5)) == std::vector<bool>{0, 1, 0, 1, 0});
    const auto s = p.bus->stats();
    CHECK(s.replies == 7);
    CHECK(s.crc_errors == 0);
    CHECK(s.garbage_bytes == 0);
    CHECK(s.timeouts == 0);
}

TEST_CASE("a full 125-register read from pymodbus") {
    PymodbusLine p;
    CHECK(p.registers(1, holding(100, 125)) == sequence(1100, 125));
    CHECK(p.registers(2, input(175, 125)) == sequence(4175, 125));
}

TEST_CASE("pymodbus's exception reply is decoded") {
    PymodbusLine p;
    const auto r = p.read(1, holding(290, 20));
    const auto* ex = std::get_if<ExceptionResponse>(&r);
    REQUIRE(ex);
    CHECK(ex->code == ExceptionCode::illegal_data_address);
    CHECK(p.bus->stats().exceptions == 1);
}

TEST_CASE("an address nobody answers times out, is backed off, and its neighbours keep answering") {
    PymodbusLine p;
    CHECK(std::get<TransactionError>(p.read(9, holding(0, 1), 200ms)) == TransactionError::timeout);
    CHECK(p.registers(1, holding(0, 2)) == sequence(1000, 2));
    CHECK(std::get<TransactionError>(p.read(9, holding(0, 1), 200ms)) == TransactionError::timeout);
    CHECK(std::get<TransactionError>(p.read(9, holding(0, 1), 200ms)) == TransactionError::backed_off);
    CHECK(p.registers(2, holding(0, 2)) == sequence(2000, 2));
    const auto s = p.bus->stats();
    CHECK(s.timeouts == 2);
    CHECK(s.backed_off_skips == 1);
    CHECK(p.logger.count("slave 9 missed 2 replies in a row") == 1);
}

TEST_CASE("a meter poll over RTU against pymodbus") {
    PymodbusLine p;
    MeterOptions options;
    options.meter_id = "py2";
    options.unit_id = 2;
    options.source = Source::modbus_rtu;
    std::vector<PointDef> points{
        {"counter", Table::holding_register, 10, DataType::u32, 1, 0, "Wh"},
        {"analog", Table::input_register, 3, DataType::s16, 0.5, 0, "V"},
        {"di", Table::discrete_input, 1, DataType::boolean, 1, 0, ""},
    };
    SystemClock clock;
    MeterPoller poller(*p.bus, clock, options, points);
    std::optional<PollOutcome> outcome;
    poller.poll([&](PollOutcome o) { outcome = std::move(o); });
    REQUIRE(run_until(p.io, [&] { return outcome.has_value(); }));
    CHECK(outcome->blocks_failed == 0);
    REQUIRE(outcome->readings.size() == 3);
    std::map<std::string, double> values;
    for (const auto& r : outcome->readings) {
        values[r.point] = r.value;
        CHECK(r.source == Source::modbus_rtu);
    }
    CHECK(values["counter"] == 2010.0 * 65536 + 2011);
    CHECK(values["analog"] == 4003 * 0.5);
    CHECK(values["di"] == 1.0);
}

TEST_CASE("RTU over TCP: the same framing through a serial device server to pymodbus") {
    // socat plays the device server: TCP on one side, the serial line (a pty) on the other.
    testing::TempDir dir("gg-rtu-tcp");
    SocatDeviceServer device_server(dir.path());
    testing::ChildProcess server(
        {"/usr/bin/python3", (source_dir() / "pymodbus_rtu_server.py").string(), device_server.slave_end(), "19200"},
        dir.file("pymodbus.out"), dir.file("pymodbus.log"));
    REQUIRE(wait_for_output(dir.file("pymodbus.out"), "serving"));

    boost::asio::io_context io;
    transport::TcpChannelOptions tcp;
    tcp.port = device_server.port();
    RtuBusOptions options;
    options.baud = 19200;
    options.frame_gap = 20ms;  // network jitter
    auto bus = make_tcp_rtu_bus(io.get_executor(), tcp, options, null_logger());
    CHECK(bus->description() == "tcp 127.0.0.1:" + std::to_string(tcp.port));

    for (const std::uint8_t unit : {1, 2}) {
        std::optional<TransactionResult> result;
        bus->submit(ReadCall{unit, holding(40, 6), 1s, "tcp", Priority::normal},
                    [&](TransactionResult r) { result = std::move(r); });
        REQUIRE(run_until(io, [&] { return result.has_value(); }));
        REQUIRE(std::holds_alternative<ReadResponse>(*result));
        CHECK(std::get<ReadResponse>(*result).registers == sequence(static_cast<std::uint16_t>(unit * 1000 + 40), 6));
    }
    bool stopped = false;
    bus->stop([&] { stopped = true; });
    REQUIRE(run_until(io, [&] { return stopped; }));
}
