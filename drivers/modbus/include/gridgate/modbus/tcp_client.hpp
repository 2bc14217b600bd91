#pragma once
// Modbus TCP client for one endpoint (host:port), possibly shared by several unit ids
// (a Modbus TCP to RTU gateway). Runs on its own strand. Opens up to max_connections
// TCP connections to the endpoint (the JEMStar II allows 2 per Ethernet port), keeps
// one transaction outstanding per connection, matches replies by transaction id and
// unit id and discards late or stray replies. Reconnects with backoff and jitter.
//
// Connection policy, in short: a socket is opened when a request finds no idle one;
// a request is timed from the moment it is sent; after a timeout the socket stays open
// and the late reply is dropped when it comes; 3 consecutive timeouts or a framing
// error close the socket. A failed connect fails the queued requests (connect_failed)
// unless another socket can still serve them, and starts a backoff during which new
// requests fail fast (while no socket is open). A request whose reused socket turns
// out to be closed by the peer is retried once on a fresh socket (reads are idempotent).
#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>

#include "gridgate/core/log.hpp"
#include "gridgate/core/time.hpp"
#include "gridgate/modbus/client.hpp"
#include "gridgate/modbus/pdu.hpp"

namespace gridgate::modbus {

struct TcpClientOptions {
    std::string name;            // connection id, for logs and stats
    std::string host = "127.0.0.1";
    std::uint16_t port = 502;
    unsigned max_connections = 1;                           // 1..8
    Duration connect_timeout = std::chrono::seconds(3);
    Duration reconnect_min = std::chrono::milliseconds(500);
    Duration reconnect_max = std::chrono::seconds(60);
};

// TransactionError and TransactionResult are declared in client.hpp (shared with RTU).

struct TcpClientStats {
    std::uint64_t requests = 0;
    std::uint64_t responses = 0;         // matched, decodable replies (exceptions included)
    std::uint64_t exceptions = 0;        // of which exception replies
    std::uint64_t timeouts = 0;
    std::uint64_t discarded_frames = 0;  // late, stray or undecodable replies
    std::uint64_t connects = 0;
    std::uint64_t connect_failures = 0;
    std::uint64_t disconnects = 0;
    unsigned open_connections = 0;
};

class TcpClient : public ModbusClient {
public:
    // The io_context behind `executor` must outlive the client.
    TcpClient(boost::asio::any_io_executor executor, TcpClientOptions options, Logger& logger);
    // Safe at any time, but drops handlers not yet run without calling them; use stop()
    // first for a clean shutdown. Sockets and timers are closed on the strand.
    ~TcpClient() override;
    TcpClient(const TcpClient&) = delete;
    TcpClient& operator=(const TcpClient&) = delete;

    // Queues a read. The handler runs exactly once, on the client's strand. `trace_id`
    // names the meter for per-meter hex traces (Logger::trace_frame).
    void read(std::uint8_t unit_id, const ReadRequest& request, Duration timeout, std::string trace_id,
              std::function<void(TransactionResult)> handler);
    // ModbusClient: the same; the priority is ignored (each connection carries its own
    // transaction, so there is no shared line to order).
    void submit(ReadCall call, ReadHandler handler) override;

    // Cancels queued and outstanding requests (handlers get `cancelled`) once the
    // in-flight transactions have finished or timed out, closes the sockets, then
    // calls done. Used for clean shutdown: the in-flight transaction is allowed to end.
    // The client stays stopped: later reads are answered with `cancelled`.
    void stop(std::function<void()> done) override;

    TcpClientStats stats() const;  // thread-safe snapshot
    const TcpClientOptions& options() const;
    // The client's strand: where every handler runs.
    boost::asio::any_io_executor executor() const override;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace gridgate::modbus
