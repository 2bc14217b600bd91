#pragma once
// Modbus TCP front of one simulated meter: a listening socket, at most
// `max_connections` concurrent connections (the JEMStar II allows 2 per Ethernet port;
// one more is accepted and closed at once, and counted), pipelined requests answered
// in order, partial frames reassembled, a bad MBAP header closes the connection.
#include <cstddef>
#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gridgate/core/log.hpp"
#include "gridgate/sim/served_log.hpp"
#include "gridgate/sim/simulated_meter.hpp"

namespace gridgate::sim {

struct TcpServerOptions {
    std::size_t max_connections = 2;
};

class MeterTcpServer {
public:
    // Binds and starts accepting; throws boost::system::system_error if the endpoint
    // cannot be bound. Port 0 picks a free port (see port()). `log` may be null. The
    // meter, log and logger must outlive the io_context's last handler.
    MeterTcpServer(boost::asio::io_context& io, SimulatedMeter& meter, const boost::asio::ip::tcp::endpoint& endpoint,
                   const TcpServerOptions& options, ServedLog* log, Logger& logger);
    ~MeterTcpServer();
    MeterTcpServer(const MeterTcpServer&) = delete;
    MeterTcpServer& operator=(const MeterTcpServer&) = delete;

    std::uint16_t port() const { return port_; }

    // Connections currently open. Like everything here, call it on the io_context's
    // thread.
    std::size_t active_connections() const;

    // Stops accepting and closes every connection.
    void stop();

    struct State;  // shared with the connections (src/tcp_server_state.hpp)

private:
    std::shared_ptr<State> state_;
    std::uint16_t port_ = 0;
};

}  // namespace gridgate::sim
