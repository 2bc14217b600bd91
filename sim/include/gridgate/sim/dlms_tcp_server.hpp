#pragma once
// DLMS/COSEM over TCP (the IEC 62056-47 wrapper) for one simulated meter: a listening
// socket (the meter's port is 4059) with ONE connection at a time, the meter's "Max 1
// DLMS connection per Ethernet port": a second connection is accepted and closed at once,
// and counted. The connection carries one association; APDUs for destination wPort 1
// (the management logical device) go to the COSEM server with the source wPort as the
// client SAP, others get no answer. A bad wrapper header, the client closing, the
// inactivity timeout (60 s by default, 0 = never) or the link going down closes the
// connection and ends the association. While the link is down (`dlms link <meter> down`)
// connections are accepted and closed at once. All on the io_context's thread.
#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gridgate/core/log.hpp"
#include "gridgate/sim/dlms_meter.hpp"

namespace gridgate::sim {

struct DlmsTcpOptions {
    Duration inactivity_timeout = std::chrono::seconds(60);  // 0 = never
    std::size_t max_apdu = 65535;                              // longer wrapper PDUs close the connection
};

class DlmsTcpServer {
public:
    // Binds and starts accepting; throws boost::system::system_error if the endpoint
    // cannot be bound. Port 0 picks a free port (see port(); also the meter's port()).
    // The meter and logger must outlive the io_context's last handler.
    DlmsTcpServer(boost::asio::io_context& io, DlmsMeter& meter, const boost::asio::ip::tcp::endpoint& endpoint,
                  const DlmsTcpOptions& options, Logger& logger);
    ~DlmsTcpServer();
    DlmsTcpServer(const DlmsTcpServer&) = delete;
    DlmsTcpServer& operator=(const DlmsTcpServer&) = delete;

    std::uint16_t port() const { return port_; }
    bool connected() const;

    // Stops accepting and closes the connection.
    void stop();

    struct State;

private:
    std::shared_ptr<State> state_;
    std::uint16_t port_ = 0;
};

}  // namespace gridgate::sim
