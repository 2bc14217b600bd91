#pragma once
// gridgated's wiring: store, northbound sink, one client per connection, one task per
// meter, the control socket and signal handling. Owns the io_context.
#include <memory>
#include <string>

#include "gridgate/core/log.hpp"
#include "gridgate/gateway/config.hpp"

namespace gridgate::gateway {

class Gateway {
public:
    Gateway(GatewayConfig config, Logger& logger);
    ~Gateway();
    Gateway(const Gateway&) = delete;
    Gateway& operator=(const Gateway&) = delete;

    // Opens the store, connects, polls until SIGINT/SIGTERM, then shuts down cleanly:
    // in-flight transactions finish, readings are committed, the broker gets what it can
    // within the drain time and a clean offline status. Returns the process exit code.
    int run();

    // What the control socket answers to "status" and "backlog".
    std::string status_json() const;
    std::string backlog_json() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridgate::gateway
