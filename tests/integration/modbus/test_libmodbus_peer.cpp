// TcpClient and MeterPoller against libmodbus, an implementation that is not ours.
#include <catch2/catch.hpp>

#include "client_fixture.hpp"
#include "gridgate/core/clock.hpp"
#include "gridgate/modbus/meter_poller.hpp"
#include "libmodbus_server.hpp"

using namespace gridgate;
using namespace gridgate::modbus;
using namespace gridgate::modbus::test;
namespace asio = boost::asio;

namespace {

void fill(LibmodbusServer& server) {
    auto& t = server.tables();
    for (int i = 0; i < LibmodbusServer::table_size; ++i) {
        t.tab_registers[i] = static_cast<std::uint16_t>(1000 + i);
        t.tab_input_registers[i] = static_cast<std::uint16_t>(2000 + i);
        t.tab_bits[i] = (i % 3 == 0) ? 1 : 0;
        t.tab_input_bits[i] = (i % 2 == 1) ? 1 : 0;
    }
}

TransactionResult read_one(asio::io_context& io, TcpClient& client, const ReadRequest& request) {
    ReadProbe probe;
    client.read(1, request, long_timeout, "libmodbus", probe.handler());
    REQUIRE(run_until(io, [&] { return probe.done(); }));
    return *probe.result;
}

void stop(asio::io_context& io, TcpClient& client) {
    bool done = false;
    client.stop([&] { done = true; });
    REQUIRE(run_until(io, [&] { return done; }));
}

}  // namespace

TEST_CASE("FC01..FC04 reads agree with libmodbus") {
    LibmodbusServer server;
    fill(server);
    server.start();
    asio::io_context io;
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());

    const auto holding_regs = read_one(io, client, {FunctionCode::read_holding_registers, 5, 3});
    REQUIRE(std::holds_alternative<ReadResponse>(holding_regs));
    CHECK(std::get<ReadResponse>(holding_regs).registers == std::vector<std::uint16_t>{1005, 1006, 1007});

    const auto input_regs = read_one(io, client, {FunctionCode::read_input_registers, 60, 4});
    REQUIRE(std::holds_alternative<ReadResponse>(input_regs));
    CHECK(std::get<ReadResponse>(input_regs).registers == std::vector<std::uint16_t>{2060, 2061, 2062, 2063});

    const auto coils = read_one(io, client, {FunctionCode::read_coils, 2, 11});
    REQUIRE(std::holds_alternative<ReadResponse>(coils));
    CHECK(std::get<ReadResponse>(coils).bits == std::vector<bool>{0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1});

    const auto inputs = read_one(io, client, {FunctionCode::read_discrete_inputs, 0, 9});
    REQUIRE(std::holds_alternative<ReadResponse>(inputs));
    CHECK(std::get<ReadResponse>(inputs).bits == std::vector<bool>{0, 1, 0, 1, 0, 1, 0, 1, 0});

    stop(io, client);
}

TEST_CASE("libmodbus's exception for an address out of its map is decoded") {
    LibmodbusServer server;
    server.start();
    asio::io_context io;
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());

    const auto r = read_one(io, client, {FunctionCode::read_holding_registers, 60, 10});
    const auto* ex = std::get_if<ExceptionResponse>(&r);
    REQUIRE(ex);
    CHECK(ex->code == ExceptionCode::illegal_data_address);
    stop(io, client);
}

TEST_CASE("a meter poll decodes 32-bit and float points served by libmodbus") {
    LibmodbusServer server;
    auto& t = server.tables();
    t.tab_registers[0] = 0x0001;  // u32 high word first: 100000
    t.tab_registers[1] = 0x86A0;
    t.tab_registers[2] = 0xFFFF;  // s32: -10
    t.tab_registers[3] = 0xFFF6;
    t.tab_registers[4] = 0x4049;  // f32: pi
    t.tab_registers[5] = 0x0FDB;
    t.tab_input_registers[7] = 0xFF38;  // s16: -200
    server.start();

    asio::io_context io;
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());
    FakeClock clock;
    MeterOptions meter;
    meter.meter_id = "lm";
    const std::vector<PointDef> points{
        {"wh", Table::holding_register, 0, DataType::u32, 1.0, 0.0, "Wh"},
        {"net", Table::holding_register, 2, DataType::s32, 0.5, 0.0, "Wh"},
        {"pf", Table::holding_register, 4, DataType::f32, 1.0, 0.0, ""},
        {"var", Table::input_register, 7, DataType::s16, 1.0, 0.0, "var"},
    };
    MeterPoller poller(client, clock, meter, points);

    std::optional<PollOutcome> out;
    poller.poll([&](PollOutcome o) { out = std::move(o); });
    REQUIRE(run_until(io, [&] { return out.has_value(); }));
    CHECK(out->blocks_ok == 2);
    REQUIRE(out->readings.size() == 4);
    CHECK(out->readings[0].value == 100000.0);
    CHECK(out->readings[1].value == -5.0);
    CHECK(out->readings[2].value == Approx(3.14159265));
    CHECK(out->readings[3].value == -200.0);
    stop(io, client);
}
