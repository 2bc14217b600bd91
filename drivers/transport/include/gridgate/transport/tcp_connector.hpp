#pragma once
// Opening a TCP connection with a deadline: resolve + connect under one steady_timer.
// Protocol clients use it so a dead or blackholed peer costs at most `timeout`.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gridgate/core/time.hpp"

namespace gridgate::transport {

// Called exactly once. On success the socket is open, with TCP_NODELAY (requests are
// small and latency-bound) and SO_KEEPALIVE (to notice a peer that vanished) set.
// A deadline miss is reported as boost::asio::error::timed_out, a cancel() as
// boost::asio::error::operation_aborted.
using ConnectHandler = std::function<void(const boost::system::error_code&, boost::asio::ip::tcp::socket)>;

class ConnectAttempt {
public:
    virtual ~ConnectAttempt() = default;
    // Abandons the attempt; the handler still runs once, with operation_aborted (unless
    // it already ran). Call on the executor the attempt was started with.
    virtual void cancel() = 0;
};

// Starts resolving `host` and connecting to the first address that answers. Every
// completion, including the handler, runs on `executor`, which must be a strand (or
// single-threaded) for cancel() to be safe.
std::shared_ptr<ConnectAttempt> connect_with_timeout(const boost::asio::any_io_executor& executor,
                                                     const std::string& host, std::uint16_t port,
                                                     Duration timeout, ConnectHandler handler);

}  // namespace gridgate::transport
