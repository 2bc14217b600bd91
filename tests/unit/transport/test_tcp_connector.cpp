// connect_with_timeout against real loopback sockets.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <optional>
#include <vector>

#include "gridgate/transport/tcp_connector.hpp"

using namespace gridgate;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

struct Outcome {
    boost::system::error_code ec;
    bool open = false;
    bool no_delay = false;
    bool keep_alive = false;
};

transport::ConnectHandler record(std::optional<Outcome>& out) {
    return [&out](const boost::system::error_code& ec, tcp::socket socket) {
        Outcome o{ec, socket.is_open()};
        if (socket.is_open()) {
            tcp::no_delay nd;
            asio::socket_base::keep_alive ka;
            socket.get_option(nd);
            socket.get_option(ka);
            o.no_delay = nd.value();
            o.keep_alive = ka.value();
        }
        out = o;
    };
}

// A loopback port nobody listens on: bind one, note it, release it.
std::uint16_t refused_port(asio::io_context& io) {
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return probe.local_endpoint().port();
}

}  // namespace

TEST_CASE("connects to a listening loopback port with NODELAY and keepalive") {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    std::optional<Outcome> out;
    transport::connect_with_timeout(io.get_executor(), "127.0.0.1", acceptor.local_endpoint().port(),
                                    std::chrono::seconds(5), record(out));
    io.run();
    REQUIRE(out);
    CHECK_FALSE(out->ec);
    CHECK(out->open);
    CHECK(out->no_delay);
    CHECK(out->keep_alive);
}

TEST_CASE("a refused connection is reported once, with a closed socket") {
    asio::io_context io;
    const auto port = refused_port(io);
    std::optional<Outcome> out;
    int calls = 0;
    transport::connect_with_timeout(io.get_executor(), "127.0.0.1", port, std::chrono::seconds(5),
                                    [&](const boost::system::error_code& ec, tcp::socket s) {
                                        ++calls;
                                        out = Outcome{ec, s.is_open()};
                                    });
    io.run();
    REQUIRE(out);
    CHECK(calls == 1);
    CHECK(out->ec == asio::error::connection_refused);
    CHECK_FALSE(out->open);
}

TEST_CASE("cancel reports operation_aborted") {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    std::optional<Outcome> out;
    auto attempt = transport::connect_with_timeout(io.get_executor(), "127.0.0.1", acceptor.local_endpoint().port(),
                                                   std::chrono::seconds(5), record(out));
    attempt->cancel();
    io.run();
    REQUIRE(out);
    CHECK(out->ec == asio::error::operation_aborted);
    CHECK_FALSE(out->open);
}

TEST_CASE("a peer that never answers the handshake hits the deadline") {
    // A listener with a full accept backlog: Linux drops further SYNs, so the connect
    // neither succeeds nor fails until our timer ends it.
    asio::io_context io;
    tcp::acceptor acceptor(io);
    acceptor.open(tcp::v4());
    acceptor.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    acceptor.listen(0);
    const auto target = acceptor.local_endpoint();
    std::vector<tcp::socket> fillers;
    for (int i = 0; i < 4; ++i) {
        fillers.emplace_back(io);
        fillers.back().async_connect(target, [](const boost::system::error_code&) {});
    }
    std::optional<Outcome> out;
    auto recorder = record(out);
    transport::connect_with_timeout(io.get_executor(), "127.0.0.1", target.port(), std::chrono::milliseconds(50),
                                    [&](const boost::system::error_code& ec, tcp::socket socket) {
                                        recorder(ec, std::move(socket));
                                        for (auto& f : fillers) f.close();  // end the fillers' pending connects
                                    });
    io.run();
    REQUIRE(out);
    CHECK(out->ec == asio::error::timed_out);
    CHECK_FALSE(out->open);
}
