#pragma once
// Internals of TcpClient, shared by its source files. Everything here runs on the
// client's strand except the atomic stats and the `abandoned` flag.
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gridgate/core/backoff.hpp"
#include "gridgate/modbus/mbap.hpp"
#include "gridgate/modbus/tcp_client.hpp"
#include "gridgate/transport/tcp_connector.hpp"

namespace gridgate::modbus {


struct PendingRead {
    std::uint8_t unit_id = 0;
    ReadRequest request;
    Duration timeout{};
    std::string trace_id;
    ReadHandler handler;
    bool retried = false;  // already re-sent once after a stale socket died under it
};

// One TCP connection to the endpoint and the single transaction it may carry.
struct Connection {
    explicit Connection(const boost::asio::any_io_executor& ex) : socket(ex), request_timer(ex) {}

    enum class State { connecting, open, closed };
    State state = State::connecting;
    std::shared_ptr<transport::ConnectAttempt> connect_attempt;
    boost::asio::ip::tcp::socket socket;

    // Receive buffer capped at one maximal ADU: a valid stream always fits, so an
    // overflow can only be garbage and is handled by closing the socket.
    std::array<std::byte, max_adu_size> rx{};
    std::size_t rx_len = 0;

    std::vector<std::byte> tx;  // the frame being written; must outlive async_write
    bool writing = false;
    std::optional<PendingRead> in_flight;
    std::uint16_t in_flight_tid = 0;
    std::uint64_t transaction_serial = 0;  // tells a stale timer wake-up from the current one
    boost::asio::steady_timer request_timer;

    std::deque<std::uint16_t> timed_out_tids;  // late replies to expect and drop
    unsigned consecutive_timeouts = 0;
    std::uint64_t completed = 0;  // transactions answered on this socket

    bool idle() const { return state == State::open && !writing && !in_flight; }
};
using ConnectionPtr = std::shared_ptr<Connection>;

struct StatsCounters {
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> responses{0};
    std::atomic<std::uint64_t> exceptions{0};
    std::atomic<std::uint64_t> timeouts{0};
    std::atomic<std::uint64_t> discarded_frames{0};
    std::atomic<std::uint64_t> connects{0};
    std::atomic<std::uint64_t> connect_failures{0};
    std::atomic<std::uint64_t> disconnects{0};
    std::atomic<unsigned> open_connections{0};
};

struct TcpClient::Impl : std::enable_shared_from_this<TcpClient::Impl> {
    Impl(const boost::asio::any_io_executor& executor, TcpClientOptions opts, Logger& log);

    // --- connections and lifecycle (client_connections.cpp)
    void enqueue(PendingRead read);
    void pump();
    void open_connection();
    void on_connected(const ConnectionPtr& conn, const boost::system::error_code& ec,
                      boost::asio::ip::tcp::socket socket);
    void close_connection(const ConnectionPtr& conn, const std::string& reason, TransactionError in_flight_error,
                          bool may_retry);
    void after_transaction(const ConnectionPtr& conn);
    void enter_backoff();
    void fail_queue(TransactionError error);
    void begin_stop(std::function<void()> done);
    void finish_stop_if_drained();
    void abandon();
    unsigned count(Connection::State state) const;

    // --- transactions (client_transactions.cpp)
    void start_transaction(const ConnectionPtr& conn, PendingRead read);
    void on_written(const ConnectionPtr& conn, const boost::system::error_code& ec);
    void start_receive(const ConnectionPtr& conn);
    void on_received(const ConnectionPtr& conn, const boost::system::error_code& ec, std::size_t n);
    void on_frame(const ConnectionPtr& conn, const MbapFrame& frame, std::span<const std::byte> raw);
    void on_timeout(const ConnectionPtr& conn, std::uint64_t serial);
    std::uint16_t next_transaction_id(const Connection& conn);

    // Runs a user handler later on the strand: never inline, never after destruction.
    void complete(ReadHandler handler, TransactionResult result);
    void log(LogLevel level, const std::string& message) const;

    boost::asio::strand<boost::asio::any_io_executor> strand;
    const TcpClientOptions options;
    Logger& logger;
    StatsCounters stats;

    std::deque<PendingRead> queue;
    std::vector<ConnectionPtr> connections;
    std::uint16_t last_tid = 0;

    Backoff backoff;
    boost::asio::steady_timer backoff_timer;
    bool backing_off = false;

    bool stopping = false;
    bool stopped = false;
    std::vector<std::function<void()>> stop_handlers;
    std::atomic<bool> abandoned{false};
};

}  // namespace gridgate::modbus
