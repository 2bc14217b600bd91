// TcpClient: what one request gets back, whatever the server does with it.
#include <catch2/catch.hpp>

#include "client_fixture.hpp"
#include "gridgate/modbus/mbap.hpp"

using namespace gridgate;
using namespace gridgate::modbus;
using namespace gridgate::modbus::test;
namespace asio = boost::asio;

TEST_CASE("a normal read sends the spec's bytes and returns the registers") {
    asio::io_context io;
    ScriptedServer server(io, [](const ServerRequest&) {
        return ServerAction{hex("00 01 00 00 00 09 11 03 06 02 2B 00 00 00 64")};
    });
    CapturingLogger logger;
    logger.set_trace("meter-7", true);
    TcpClient client(io.get_executor(), options_for(server.port()), logger);

    ReadProbe probe;
    client.read(0x11, holding(0x6B, 3), long_timeout, "meter-7", probe.handler());
    REQUIRE(run_until(io, [&] { return probe.done(); }));

    REQUIRE(probe.response());
    CHECK(probe.response()->registers == std::vector<std::uint16_t>{0x022B, 0, 0x64});
    REQUIRE(server.requests().size() == 1);
    CHECK(server.requests()[0].raw == hex("00 01 00 00 00 06 11 03 00 6B 00 03"));
    CHECK(logger.contains("trace [meter-7] tx 00 01 00 00 00 06 11 03 00 6b 00 03"));
    CHECK(logger.contains("trace [meter-7] rx 00 01 00 00 00 09 11 03 06 02 2b 00 00 00 64"));

    const auto stats = client.stats();
    CHECK(stats.requests == 1);
    CHECK(stats.responses == 1);
    CHECK(stats.connects == 1);
    CHECK(stats.open_connections == 1);
    CHECK(probe.calls == 1);
}

TEST_CASE("an exception reply is delivered as such") {
    asio::io_context io;
    ScriptedServer server(io, [](const ServerRequest& r) { return ServerAction{exception_reply(r, 0x02)}; });
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());

    ReadProbe probe;
    client.read(1, holding(9000, 2), long_timeout, "m", probe.handler());
    REQUIRE(run_until(io, [&] { return probe.done(); }));
    const auto* ex = std::get_if<ExceptionResponse>(&*probe.result);
    REQUIRE(ex);
    CHECK(ex->function == FunctionCode::read_holding_registers);
    CHECK(ex->code == ExceptionCode::illegal_data_address);
    CHECK(client.stats().exceptions == 1);
}

TEST_CASE("a late reply after a timeout is dropped; the next request gets its own answer") {
    asio::io_context io;
    std::optional<ServerRequest> unanswered;
    ScriptedServer server(io, [&](const ServerRequest& r) {
        if (!unanswered) {  // first request: say nothing for now
            unanswered = r;
            return ServerAction{};
        }
        // Second request: the stale answer to the first arrives just before the right one.
        auto bytes = normal_reply(*unanswered);
        const auto right = normal_reply(r);
        bytes.insert(bytes.end(), right.begin(), right.end());
        return ServerAction{bytes};
    });
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());

    ReadProbe first;
    client.read(1, holding(100, 2), short_timeout, "m", first.handler());
    REQUIRE(run_until(io, [&] { return first.done(); }));
    CHECK(first.error() == TransactionError::timeout);

    ReadProbe second;
    client.read(1, holding(200, 3), long_timeout, "m", second.handler());
    REQUIRE(run_until(io, [&] { return second.done(); }));
    REQUIRE(second.response());
    CHECK(second.response()->registers == std::vector<std::uint16_t>{200, 201, 202});

    const auto stats = client.stats();
    CHECK(stats.timeouts == 1);
    CHECK(stats.discarded_frames == 1);
    CHECK(stats.connects == 1);  // the socket survived the timeout
    CHECK(server.accepted() == 1);
    CHECK(first.calls == 1);
}

TEST_CASE("replies with the wrong transaction or unit id are ignored") {
    asio::io_context io;
    ScriptedServer server(io, [](const ServerRequest& r) {
        ServerRequest wrong_tid = r;
        wrong_tid.transaction_id = static_cast<std::uint16_t>(r.transaction_id + 1000);
        ServerRequest wrong_unit = r;
        wrong_unit.unit_id = static_cast<std::uint8_t>(r.unit_id + 1);
        auto bytes = normal_reply(wrong_tid);
        for (const auto& frame : {normal_reply(wrong_unit), normal_reply(r)})
            bytes.insert(bytes.end(), frame.begin(), frame.end());
        return ServerAction{bytes};
    });
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());

    ReadProbe probe;
    client.read(5, holding(10, 1), long_timeout, "m", probe.handler());
    REQUIRE(run_until(io, [&] { return probe.done(); }));
    REQUIRE(probe.response());
    CHECK(probe.response()->registers == std::vector<std::uint16_t>{10});
    CHECK(client.stats().discarded_frames == 2);
}

TEST_CASE("a reply with the right id but a bad body is bad_response; the socket stays") {
    asio::io_context io;
    bool first = true;
    ScriptedServer server(io, [&](const ServerRequest& r) {
        if (std::exchange(first, false)) {
            // Byte count 4 for a 3-register request.
            auto bytes = encode_mbap(r.transaction_id, r.unit_id, hex("03 04 00 01 00 02"));
            return ServerAction{bytes};
        }
        return answer_normally(r);
    });
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());

    ReadProbe bad;
    client.read(1, holding(0, 3), long_timeout, "m", bad.handler());
    REQUIRE(run_until(io, [&] { return bad.done(); }));
    CHECK(bad.error() == TransactionError::bad_response);

    ReadProbe good;
    client.read(1, holding(7, 1), long_timeout, "m", good.handler());
    REQUIRE(run_until(io, [&] { return good.done(); }));
    REQUIRE(good.response());
    CHECK(good.response()->registers == std::vector<std::uint16_t>{7});
    CHECK(server.accepted() == 1);
    CHECK(client.stats().discarded_frames == 1);
}

TEST_CASE("garbage on the stream closes the socket; the next request reconnects") {
    asio::io_context io;
    bool first = true;
    ScriptedServer server(io, [&](const ServerRequest& r) {
        if (std::exchange(first, false)) return ServerAction{hex("48 54 54 50 2F 31 2E 31 20 34 30 30 0D 0A")};
        return answer_normally(r);
    });
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());

    ReadProbe garbage;
    client.read(1, holding(0, 1), long_timeout, "m", garbage.handler());
    REQUIRE(run_until(io, [&] { return garbage.done(); }));
    CHECK(garbage.error() == TransactionError::disconnected);

    ReadProbe next;
    client.read(1, holding(3, 1), long_timeout, "m", next.handler());
    REQUIRE(run_until(io, [&] { return next.done(); }));
    REQUIRE(next.response());
    CHECK(next.response()->registers == std::vector<std::uint16_t>{3});
    CHECK(server.accepted() == 2);
    CHECK(client.stats().discarded_frames == 1);
}

TEST_CASE("three consecutive timeouts close the socket and the next request reconnects") {
    asio::io_context io;
    std::size_t silent = 3;
    ScriptedServer server(io, [&](const ServerRequest& r) {
        if (silent > 0) {
            --silent;
            return ServerAction{};
        }
        return answer_normally(r);
    });
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());

    for (int i = 0; i < 3; ++i) {
        ReadProbe lost;
        client.read(1, holding(0, 1), short_timeout, "m", lost.handler());
        REQUIRE(run_until(io, [&] { return lost.done(); }));
        CHECK(lost.error() == TransactionError::timeout);
    }
    ReadProbe answered;
    client.read(1, holding(42, 1), long_timeout, "m", answered.handler());
    REQUIRE(run_until(io, [&] { return answered.done(); }));
    REQUIRE(answered.response());
    CHECK(answered.response()->registers == std::vector<std::uint16_t>{42});
    CHECK(server.accepted() == 2);
    CHECK(server.requests().back().connection == 2);
    CHECK(client.stats().disconnects == 1);
}

TEST_CASE("transaction ids increase per request") {
    asio::io_context io;
    ScriptedServer server(io, answer_normally);
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());
    for (int i = 0; i < 3; ++i) {
        ReadProbe p;
        client.read(1, holding(0, 1), long_timeout, "m", p.handler());
        REQUIRE(run_until(io, [&] { return p.done(); }));
    }
    REQUIRE(server.requests().size() == 3);
    CHECK(server.requests()[1].transaction_id == server.requests()[0].transaction_id + 1);
    CHECK(server.requests()[2].transaction_id == server.requests()[1].transaction_id + 1);
}
