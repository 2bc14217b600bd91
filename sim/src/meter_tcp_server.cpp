#include "gridgate/sim/meter_tcp_server.hpp"

#include <algorithm>

#include "modbus_tcp_connection.hpp"
#include "tcp_server_state.hpp"

namespace gridgate::sim {

namespace {

void accept_next(const std::shared_ptr<MeterTcpServer::State>& state) {
    state->acceptor.async_accept([state](const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket) {
        if (state->stopped) return;
        if (!ec) {
            if (state->active >= state->options.max_connections) {
                // Like the meter: the connection is taken and dropped at once.
                ++state->meter.stats().rejected_connections;
                boost::system::error_code ignored;
                socket.close(ignored);
            } else {
                auto connection = std::make_shared<ModbusTcpConnection>(std::move(socket), state);
                std::erase_if(state->connections, [](const auto& weak) { return weak.expired(); });
                state->connections.push_back(connection);
                connection->start();
            }
        } else if (ec == boost::asio::error::operation_aborted) {
            return;
        } else {
            state->logger.warn("metersim", state->meter.id() + ": accept failed: " + ec.message());
        }
        accept_next(state);
    });
}

}  // namespace

MeterTcpServer::MeterTcpServer(boost::asio::io_context& io, SimulatedMeter& meter,
                               const boost::asio::ip::tcp::endpoint& endpoint, const TcpServerOptions& options,
                               ServedLog* log, Logger& logger)
    : state_(std::make_shared<State>(io, meter, options, log, logger)) {
    auto& acceptor = state_->acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(boost::asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen();
    port_ = acceptor.local_endpoint().port();
    meter.set_port(port_);
    accept_next(state_);
}

MeterTcpServer::~MeterTcpServer() { stop(); }

std::size_t MeterTcpServer::active_connections() const { return state_->active; }

void MeterTcpServer::stop() {
    if (state_->stopped) return;
    state_->stopped = true;
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    for (const auto& weak : state_->connections)
        if (auto connection = weak.lock()) connection->close();
    state_->connections.clear();
}

}  // namespace gridgate::sim
