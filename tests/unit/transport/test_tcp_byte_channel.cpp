// TcpByteChannel (RTU over TCP) against a loopback listener in the test.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "gridgate/core/hex.hpp"
#include "gridgate/core/log.hpp"
#include "gridgate/transport/tcp_byte_channel.hpp"

using namespace gridgate;
using namespace gridgate::transport;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

bool run_until(asio::io_context& io, const std::function<bool()>& done) {
    const auto guard = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
        if (std::chrono::steady_clock::now() > guard) return false;
        io.run_one_for(20ms);
        if (io.stopped()) io.restart();
    }
    return true;
}

}  // namespace

TEST_CASE("frames go out unchanged and replies come back over TCP") {
    asio::io_context io;
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    tcp::socket server(io);
    bool accepted = false;
    acceptor.async_accept(server, [&](const boost::system::error_code& ec) { accepted = !ec; });

    TcpChannelOptions o;
    o.port = acceptor.local_endpoint().port();
    TcpByteChannel channel(asio::make_strand(io), o, null_logger());
    std::optional<boost::system::error_code> opened;
    channel.async_open([&](const boost::system::error_code& ec) { opened = ec; });
    REQUIRE(run_until(io, [&] { return opened.has_value() && accepted; }));
    REQUIRE_FALSE(*opened);
    CHECK(channel.is_open());
    CHECK(channel.description() == "tcp 127.0.0.1:" + std::to_string(o.port));

    const auto frame = *from_hex("01 03 00 00 00 0A C5 CD");
    std::optional<boost::system::error_code> sent;
    bool started = false;
    channel.async_transmit(frame, [&] { started = true; }, [&](const boost::system::error_code& ec) { sent = ec; });
    std::vector<std::byte> received(frame.size());
    asio::read(server, asio::buffer(received.data(), received.size()));
    REQUIRE(run_until(io, [&] { return sent.has_value(); }));
    CHECK(started);
    CHECK(received == frame);

    channel.discard_input();  // nothing buffered: returns at once, the stream stays usable
    const auto reply = *from_hex("01 83 02 C0 F1");
    asio::write(server, asio::buffer(reply.data(), reply.size()));
    std::vector<std::byte> got;
    std::array<std::byte, 64> buffer{};
    std::function<void()> read_more = [&] {
        channel.async_read_some(buffer, [&](const boost::system::error_code& ec, std::size_t n) {
            REQUIRE_FALSE(ec);
            got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
            if (got.size() < reply.size()) read_more();
        });
    };
    read_more();
    REQUIRE(run_until(io, [&] { return got.size() >= reply.size(); }));
    CHECK(got == reply);
    channel.close();
    CHECK_FALSE(channel.is_open());
}

TEST_CASE("a refused connection is an open error") {
    asio::io_context io;
    std::uint16_t port = 0;
    {
        tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
        port = probe.local_endpoint().port();
    }
    TcpChannelOptions o;
    o.port = port;
    TcpByteChannel channel(asio::make_strand(io), o, null_logger());
    std::optional<boost::system::error_code> opened;
    channel.async_open([&](const boost::system::error_code& ec) { opened = ec; });
    REQUIRE(run_until(io, [&] { return opened.has_value(); }));
    CHECK(*opened);
    CHECK_FALSE(channel.is_open());
}
