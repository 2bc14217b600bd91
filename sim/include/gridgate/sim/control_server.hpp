#pragma once
// The control socket (--control PATH): a Unix stream socket taking one command per
// line (see control_commands.hpp) and answering one line each. Runs on the same
// io_context as the meters, so commands never race with requests.
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "gridgate/core/log.hpp"
#include "gridgate/sim/dlms_meter.hpp"
#include "gridgate/sim/dnp3_outstation.hpp"
#include "gridgate/sim/pqdif_control.hpp"
#include "gridgate/sim/simulated_meter.hpp"

namespace gridgate::sim {

class ControlServer {
public:
    // Binds `path`, replacing a stale socket left by an earlier run; throws
    // std::runtime_error if the path exists and is not a socket, or on bind errors.
    // `dnp3`, `dlms` and `pqdif` (may be null) must outlive the server like the fleet.
    ControlServer(boost::asio::io_context& io, const std::string& path, MeterFleet& fleet, Logger& logger,
                  Dnp3Fleet* dnp3 = nullptr, DlmsFleet* dlms = nullptr, PqdifControl* pqdif = nullptr);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // Stops accepting, closes the sessions and removes the socket file.
    void stop();

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace gridgate::sim
