// MeterPoller over a real TcpClient and the scripted server.
#include <catch2/catch.hpp>

#include "client_fixture.hpp"
#include "gridgate/core/clock.hpp"
#include "gridgate/modbus/meter_poller.hpp"

using namespace gridgate;
using namespace gridgate::modbus;
using namespace gridgate::modbus::test;
namespace asio = boost::asio;

namespace {

std::vector<PointDef> jemstar_points() {
    return {
        {"kwh_del", Table::holding_register, 0, DataType::u32, 0.001, 0.0, "kWh"},
        {"kvarh_del", Table::holding_register, 2, DataType::u32, 1.0, 0.0, "kvarh"},
        {"amps_a", Table::input_register, 10, DataType::s16, 1.0, 0.0, "A"},
    };
}

MeterOptions meter(std::string id) {
    MeterOptions o;
    o.meter_id = std::move(id);
    o.unit_id = 3;
    o.response_timeout = std::chrono::seconds(5);
    return o;
}

std::optional<PollOutcome> poll_once(asio::io_context& io, MeterPoller& poller) {
    std::optional<PollOutcome> out;
    poller.poll([&](PollOutcome o) { out = std::move(o); });
    if (!run_until(io, [&] { return out.has_value(); })) return std::nullopt;
    return out;
}

}  // namespace

TEST_CASE("a poll reads every block and stamps readings at the reply") {
    asio::io_context io;
    ScriptedServer server(io, answer_normally);  // register i holds i
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());
    FakeClock clock(1'750'000'000'000'000);
    MeterPoller poller(client, clock, meter("jem-1"), jemstar_points());
    REQUIRE(poller.plan().size() == 2);

    const auto outcome = poll_once(io, poller);
    REQUIRE(outcome);
    CHECK(outcome->blocks_ok == 2);
    CHECK(outcome->blocks_failed == 0);
    CHECK(outcome->last_error.empty());
    REQUIRE(outcome->readings.size() == 3);

    const Reading& kwh = outcome->readings[0];
    CHECK(kwh.meter == "jem-1");
    CHECK(kwh.point == "kwh_del");
    CHECK(kwh.value == Approx(1 * 0.001));  // registers 0,1 = 0x0000,0x0001
    CHECK(kwh.unit == "kWh");
    CHECK(kwh.ts_us == 1'750'000'000'000'000);
    CHECK(kwh.source == Source::modbus_tcp);
    CHECK(kwh.quality == quality::good);
    CHECK(outcome->readings[1].value == double{(2u << 16) | 3u});
    CHECK(outcome->readings[2].point == "amps_a");
    CHECK(outcome->readings[2].value == 10.0);
    CHECK(server.requests()[0].unit_id == 3);
}

TEST_CASE("a failed block yields no readings and says why") {
    asio::io_context io;
    ScriptedServer server(io, [](const ServerRequest& r) {
        if (std::to_integer<int>(r.pdu[0]) == 0x04) return ServerAction{exception_reply(r, 0x02)};
        return answer_normally(r);
    });
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());
    FakeClock clock;
    MeterPoller poller(client, clock, meter("jem-2"), jemstar_points());

    const auto outcome = poll_once(io, poller);
    REQUIRE(outcome);
    CHECK(outcome->blocks_ok == 1);
    CHECK(outcome->blocks_failed == 1);
    CHECK(outcome->readings.size() == 2);
    CHECK(outcome->last_error == "block FC04 @10 x1: exception 02 illegal data address");
}

TEST_CASE("a dead meter costs one connect attempt per poll") {
    asio::io_context io;
    auto options = options_for(refused_port(io));
    TcpClient client(io.get_executor(), options, null_logger());
    FakeClock clock;
    MeterPoller poller(client, clock, meter("jem-dead"), jemstar_points());

    const auto outcome = poll_once(io, poller);
    REQUIRE(outcome);
    CHECK(outcome->blocks_ok == 0);
    CHECK(outcome->blocks_failed == 2);
    CHECK(outcome->readings.empty());
    CHECK(outcome->last_error == "block FC03 @0 x4: connect failed");
    CHECK(client.stats().connect_failures == 1);
    CHECK(client.stats().requests == 1);
}

TEST_CASE("an empty point list polls to an empty outcome") {
    asio::io_context io;
    TcpClient client(io.get_executor(), options_for(1), null_logger());
    FakeClock clock;
    MeterPoller poller(client, clock, meter("empty"), {});
    const auto outcome = poll_once(io, poller);
    REQUIRE(outcome);
    CHECK(outcome->readings.empty());
    CHECK(outcome->blocks_ok + outcome->blocks_failed == 0);
    CHECK(client.stats().requests == 0);
}
