#pragma once
// DNP3 over TCP for one simulated outstation: a listening socket (the meter's default
// port is 20000), at most `max_connections` concurrent connections (the JEMStar II
// allows 5 DNP connections per Ethernet port; one more is accepted and closed at once,
// and counted), each its own link channel, and an optional inactivity timeout that
// drops a connection the master has left silent. All on the io_context's thread.
#include <cstddef>
#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gridgate/core/log.hpp"
#include "gridgate/sim/dnp3_outstation.hpp"

namespace gridgate::sim {

struct Dnp3TcpOptions {
    std::size_t max_connections = 5;
    Duration inactivity_timeout{0};  // 0 = never
};

class Dnp3TcpServer {
public:
    // Binds and starts accepting; throws boost::system::system_error if the endpoint
    // cannot be bound. Port 0 picks a free port (see port()). The outstation and logger
    // must outlive the io_context's last handler.
    Dnp3TcpServer(boost::asio::io_context& io, Dnp3Outstation& outstation,
                  const boost::asio::ip::tcp::endpoint& endpoint, const Dnp3TcpOptions& options, Logger& logger);
    ~Dnp3TcpServer();
    Dnp3TcpServer(const Dnp3TcpServer&) = delete;
    Dnp3TcpServer& operator=(const Dnp3TcpServer&) = delete;

    std::uint16_t port() const { return port_; }
    std::size_t active_connections() const;

    // Stops accepting and closes every connection.
    void stop();

    struct State;

private:
    std::shared_ptr<State> state_;
    std::uint16_t port_ = 0;
};

}  // namespace gridgate::sim
