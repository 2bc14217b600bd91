// TcpClient: sockets opening, dying, refusing, and the client stopping.
#include <catch2/catch.hpp>

#include "client_fixture.hpp"

using namespace gridgate;
using namespace gridgate::modbus;
using namespace gridgate::modbus::test;
namespace asio = boost::asio;

TEST_CASE("the server closing an idle socket costs nothing: the next read reconnects") {
    asio::io_context io;
    ScriptedServer server(io, [](const ServerRequest& r) { return ServerAction{normal_reply(r), true}; });
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());

    for (std::uint16_t address : {1, 2}) {
        ReadProbe p;
        client.read(1, holding(address, 1), long_timeout, "m", p.handler());
        REQUIRE(run_until(io, [&] { return p.done(); }));
        REQUIRE(p.response());
        CHECK(p.response()->registers == std::vector<std::uint16_t>{address});
    }
    CHECK(server.accepted() == 2);
    CHECK(client.stats().connects == 2);
}

TEST_CASE("a request on a reused socket the server drops is retried once on a new one") {
    asio::io_context io;
    std::size_t seen = 0;
    ScriptedServer server(io, [&](const ServerRequest& r) {
        ++seen;
        if (seen == 2) return ServerAction{{}, true};  // hang up on the second request
        return answer_normally(r);
    });
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());

    ReadProbe first, second;
    client.read(1, holding(1, 1), long_timeout, "m", first.handler());
    REQUIRE(run_until(io, [&] { return first.done(); }));
    client.read(1, holding(2, 1), long_timeout, "m", second.handler());
    REQUIRE(run_until(io, [&] { return second.done(); }));
    REQUIRE(second.response());
    CHECK(second.response()->registers == std::vector<std::uint16_t>{2});
    CHECK(server.accepted() == 2);
    CHECK(second.calls == 1);
}

TEST_CASE("a fresh socket dropped under its first request reports disconnected") {
    asio::io_context io;
    ScriptedServer server(io, [](const ServerRequest&) { return ServerAction{{}, true}; });
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());
    ReadProbe p;
    client.read(1, holding(1, 1), long_timeout, "m", p.handler());
    REQUIRE(run_until(io, [&] { return p.done(); }));
    CHECK(p.error() == TransactionError::disconnected);
    CHECK(server.accepted() == 1);
}

TEST_CASE("connection refused fails fast and backs off") {
    asio::io_context io;
    auto options = options_for(refused_port(io));
    options.reconnect_min = std::chrono::hours(1);  // the whole test runs inside the backoff
    options.reconnect_max = std::chrono::hours(1);
    TcpClient client(io.get_executor(), options, null_logger());

    ReadProbe a, b;
    client.read(1, holding(0, 1), long_timeout, "m", a.handler());
    client.read(1, holding(1, 1), long_timeout, "m", b.handler());  // queued behind the same attempt
    REQUIRE(run_until(io, [&] { return a.done() && b.done(); }));
    CHECK(a.error() == TransactionError::connect_failed);
    CHECK(b.error() == TransactionError::connect_failed);

    ReadProbe during_backoff;
    client.read(1, holding(2, 1), long_timeout, "m", during_backoff.handler());
    REQUIRE(run_until(io, [&] { return during_backoff.done(); }));
    CHECK(during_backoff.error() == TransactionError::connect_failed);

    const auto stats = client.stats();
    CHECK(stats.connect_failures == 1);  // the request during backoff made no attempt
    CHECK(stats.connects == 0);

    bool stopped = false;
    client.stop([&] { stopped = true; });
    REQUIRE(run_until(io, [&] { return stopped; }));
}

TEST_CASE("after the backoff the client connects again") {
    asio::io_context io;
    const auto port = refused_port(io);
    TcpClient client(io.get_executor(), options_for(port), null_logger());  // backoff 1..2 ms

    ReadProbe refused;
    client.read(1, holding(0, 1), long_timeout, "m", refused.handler());
    REQUIRE(run_until(io, [&] { return refused.done(); }));
    CHECK(refused.error() == TransactionError::connect_failed);

    // The meter comes back on the same port.
    asio::ip::tcp::acceptor listener(io);
    listener.open(asio::ip::tcp::v4());
    listener.set_option(asio::socket_base::reuse_address(true));
    listener.bind({asio::ip::make_address("127.0.0.1"), port});
    listener.listen();
    asio::ip::tcp::socket peer(io);
    bool accepted = false;
    listener.async_accept(peer, [&](const boost::system::error_code& ec) { accepted = !ec; });

    // Requests fail fast until the backoff ends; then one gets through and connects.
    std::optional<ReadProbe> probe;
    REQUIRE(run_until(io, [&] {
        if (accepted) return true;
        if (!probe || (probe->done() && probe->error() == TransactionError::connect_failed)) {
            probe.emplace();
            client.read(1, holding(0, 1), long_timeout, "m", probe->handler());
        }
        return false;
    }));
    CHECK(client.stats().connects == 1);
    CHECK(client.stats().connect_failures == 1);
}

TEST_CASE("max_connections bounds the sockets; each carries one transaction at a time") {
    asio::io_context io;
    ScriptedServer server(io, [](const ServerRequest& r) { return ServerAction{normal_reply(r), false, true}; });
    auto options = options_for(server.port());
    options.max_connections = 2;
    TcpClient client(io.get_executor(), options, null_logger());

    std::vector<ReadProbe> probes(5);
    for (std::uint16_t i = 0; i < probes.size(); ++i)
        client.read(1, holding(i, 1), long_timeout, "m", probes[i].handler());

    // The server holds its answers: exactly one request per socket may arrive.
    REQUIRE(run_until(io, [&] { return server.requests().size() == 2; }));
    run_ready(io);
    CHECK(server.requests().size() == 2);
    CHECK(server.requests()[0].connection != server.requests()[1].connection);
    CHECK(client.stats().open_connections == 2);

    server.set_script(answer_normally);
    server.release_held();
    REQUIRE(run_until(io, [&] {
        return std::all_of(probes.begin(), probes.end(), [](const ReadProbe& p) { return p.done(); });
    }));
    for (std::uint16_t i = 0; i < probes.size(); ++i) {
        REQUIRE(probes[i].response());
        CHECK(probes[i].response()->registers == std::vector<std::uint16_t>{i});
    }
    CHECK(server.accepted() == 2);
    CHECK(server.max_open() == 2);
}

TEST_CASE("stop lets the in-flight request finish, cancels the queue, then reports done") {
    asio::io_context io;
    ScriptedServer server(io, [](const ServerRequest& r) { return ServerAction{normal_reply(r), false, true}; });
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());

    ReadProbe in_flight, queued;
    client.read(1, holding(5, 1), long_timeout, "m", in_flight.handler());
    client.read(1, holding(6, 1), long_timeout, "m", queued.handler());
    REQUIRE(run_until(io, [&] { return server.requests().size() == 1; }));

    std::vector<std::string> order;
    client.stop([&] { order.push_back("done"); });
    REQUIRE(run_until(io, [&] { return queued.done(); }));
    CHECK(queued.error() == TransactionError::cancelled);
    run_ready(io);
    CHECK_FALSE(in_flight.done());
    CHECK(order.empty());

    ReadProbe after_stop;
    client.read(1, holding(7, 1), long_timeout, "m", after_stop.handler());
    REQUIRE(run_until(io, [&] { return after_stop.done(); }));
    CHECK(after_stop.error() == TransactionError::cancelled);

    server.release_held();
    REQUIRE(run_until(io, [&] { return !order.empty(); }));
    REQUIRE(in_flight.response());
    CHECK(in_flight.response()->registers == std::vector<std::uint16_t>{5});
    CHECK(client.stats().open_connections == 0);
    REQUIRE(run_until(io, [&] { return server.open_now() == 0; }));
}

TEST_CASE("stop with a silent meter ends when the in-flight request times out") {
    asio::io_context io;
    ScriptedServer server(io, [](const ServerRequest&) { return ServerAction{}; });
    TcpClient client(io.get_executor(), options_for(server.port()), null_logger());
    ReadProbe p;
    client.read(1, holding(0, 1), short_timeout, "m", p.handler());
    REQUIRE(run_until(io, [&] { return server.requests().size() == 1; }));
    bool stopped = false;
    client.stop([&] {
        CHECK(p.done());  // the request ended before done
        stopped = true;
    });
    REQUIRE(run_until(io, [&] { return stopped; }));
    CHECK(p.error() == TransactionError::timeout);
}

TEST_CASE("destroying a busy client calls no handler and leaks nothing") {
    asio::io_context io;
    ScriptedServer server(io, [](const ServerRequest&) { return ServerAction{}; });
    ReadProbe in_flight, queued;
    {
        TcpClient client(io.get_executor(), options_for(server.port()), null_logger());
        client.read(1, holding(0, 1), long_timeout, "m", in_flight.handler());
        client.read(1, holding(1, 1), long_timeout, "m", queued.handler());
        REQUIRE(run_until(io, [&] { return server.requests().size() == 1; }));
    }
    REQUIRE(run_until(io, [&] { return server.open_now() == 0; }));
    run_ready(io);
    CHECK(in_flight.calls == 0);
    CHECK(queued.calls == 0);
}
