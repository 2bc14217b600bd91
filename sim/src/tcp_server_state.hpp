#pragma once
// What a MeterTcpServer shares with its connections. Held by shared_ptr so pending
// handlers stay valid whatever the order of destruction.
#include <memory>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "gridgate/sim/meter_tcp_server.hpp"

namespace gridgate::sim {

class ModbusTcpConnection;

struct MeterTcpServer::State {
    State(boost::asio::io_context& io, SimulatedMeter& m, const TcpServerOptions& o, ServedLog* l, Logger& lg)
        : acceptor(io), meter(m), options(o), log(l), logger(lg), trace(lg.trace_enabled(m.id())) {}

    boost::asio::ip::tcp::acceptor acceptor;
    SimulatedMeter& meter;
    TcpServerOptions options;
    ServedLog* log;
    Logger& logger;
    bool trace;  // decided once: the per-request check would take the logger's lock
    bool stopped = false;
    std::size_t active = 0;
    std::vector<std::weak_ptr<ModbusTcpConnection>> connections;
};

}  // namespace gridgate::sim
