// TcpClient: the queue, the sockets' lifecycle, reconnect backoff and shutdown.
#include <algorithm>
#include <boost/asio/post.hpp>

#include "tcp_client_impl.hpp"

namespace gridgate::modbus {

namespace asio = boost::asio;

namespace {
constexpr unsigned max_allowed_connections = 8;
constexpr unsigned timeouts_before_reconnect = 3;

TcpClientOptions sanitised(TcpClientOptions o) {
    o.max_connections = std::clamp(o.max_connections, 1u, max_allowed_connections);
    return o;
}
}  // namespace

TcpClient::Impl::Impl(const asio::any_io_executor& executor, TcpClientOptions opts, Logger& log)
    : strand(asio::make_strand(executor)),
      options(sanitised(std::move(opts))),
      logger(log),
      backoff(options.reconnect_min, options.reconnect_max),
      backoff_timer(strand) {}

void TcpClient::Impl::enqueue(PendingRead read) {
    if (stopping) return complete(std::move(read.handler), TransactionError::cancelled);
    // A meter we cannot reach is not allowed to build up a queue while we wait to retry.
    if (backing_off && count(Connection::State::open) == 0)
        return complete(std::move(read.handler), TransactionError::connect_failed);
    queue.push_back(std::move(read));
    pump();
}

// Hands queued requests to idle sockets and opens sockets (lazily, up to the limit)
// for the requests left over.
void TcpClient::Impl::pump() {
    if (stopping) return;
    for (const auto& conn : connections) {
        if (queue.empty()) return;
        if (!conn->idle()) continue;
        PendingRead next = std::move(queue.front());
        queue.pop_front();
        start_transaction(conn, std::move(next));
    }
    if (queue.empty()) return;

    unsigned connecting = count(Connection::State::connecting);
    if (backing_off) {
        if (connecting == 0 && count(Connection::State::open) == 0) fail_queue(TransactionError::connect_failed);
        return;
    }
    while (connecting < queue.size() && connections.size() < options.max_connections) {
        open_connection();
        ++connecting;
    }
}

void TcpClient::Impl::open_connection() {
    auto conn = std::make_shared<Connection>(strand);
    connections.push_back(conn);
    conn->connect_attempt = transport::connect_with_timeout(
        strand, options.host, options.port, options.connect_timeout,
        [self = shared_from_this(), conn](const boost::system::error_code& ec, asio::ip::tcp::socket socket) {
            self->on_connected(conn, ec, std::move(socket));
        });
}

void TcpClient::Impl::on_connected(const ConnectionPtr& conn, const boost::system::error_code& ec,
                                   asio::ip::tcp::socket socket) {
    conn->connect_attempt.reset();
    if (conn->state != Connection::State::connecting) return;  // closed by stop() meanwhile
    if (ec) {
        conn->state = Connection::State::closed;
        std::erase(connections, conn);
        if (stopping) return finish_stop_if_drained();
        ++stats.connect_failures;
        log(LogLevel::warn, "connect to " + options.host + ":" + std::to_string(options.port) +
                                " failed: " + ec.message());
        enter_backoff();
        pump();  // fails the queue unless another socket can still serve it
        return;
    }
    conn->socket = std::move(socket);
    conn->state = Connection::State::open;
    ++stats.connects;
    ++stats.open_connections;
    backoff.reset();
    log(LogLevel::info, "connected to " + options.host + ":" + std::to_string(options.port));
    start_receive(conn);
    pump();
}

void TcpClient::Impl::close_connection(const ConnectionPtr& conn, const std::string& reason,
                                       TransactionError in_flight_error, bool may_retry) {
    if (conn->state == Connection::State::closed) return;
    const bool was_open = conn->state == Connection::State::open;
    conn->state = Connection::State::closed;
    if (conn->connect_attempt) conn->connect_attempt->cancel();
    boost::system::error_code ignored;
    conn->socket.close(ignored);
    conn->request_timer.cancel();
    std::erase(connections, conn);
    if (was_open) {
        --stats.open_connections;
        ++stats.disconnects;
        log(LogLevel::info, "connection closed: " + reason);
    }
    if (conn->in_flight) {
        PendingRead read = std::move(*conn->in_flight);
        conn->in_flight.reset();
        // A socket that served before and now died under a request was most likely
        // closed by the meter while idle; the request never reached it, so send it again.
        if (may_retry && !read.retried && conn->completed > 0 && !stopping) {
            read.retried = true;
            queue.push_front(std::move(read));
        } else {
            complete(std::move(read.handler), in_flight_error);
        }
    }
    if (stopping) finish_stop_if_drained();
    else pump();
}

// A socket's transaction has ended (answer, timeout or bad answer).
void TcpClient::Impl::after_transaction(const ConnectionPtr& conn) {
    if (conn->consecutive_timeouts >= timeouts_before_reconnect)
        return close_connection(conn, std::to_string(timeouts_before_reconnect) + " consecutive timeouts",
                                TransactionError::disconnected, false);
    if (stopping) return close_connection(conn, "client stopped", TransactionError::cancelled, false);
    pump();
}

void TcpClient::Impl::enter_backoff() {
    if (backing_off) return;
    backing_off = true;
    backoff_timer.expires_after(backoff.next());
    backoff_timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || self->stopping) return;
        self->backing_off = false;
        self->pump();
    });
}

void TcpClient::Impl::fail_queue(TransactionError error) {
    std::deque<PendingRead> failed;
    failed.swap(queue);
    for (auto& read : failed) complete(std::move(read.handler), error);
}

void TcpClient::Impl::begin_stop(std::function<void()> done) {
    if (done) stop_handlers.push_back(std::move(done));
    if (stopped) return finish_stop_if_drained();
    stopping = true;
    backoff_timer.cancel();
    fail_queue(TransactionError::cancelled);
    // Sockets still carrying a transaction close when it ends (after_transaction).
    const auto snapshot = connections;
    for (const auto& conn : snapshot)
        if (conn->state == Connection::State::connecting || !conn->in_flight)
            close_connection(conn, "client stopped", TransactionError::cancelled, false);
    finish_stop_if_drained();
}

void TcpClient::Impl::finish_stop_if_drained() {
    if (!stopping || !connections.empty()) return;
    stopped = true;
    for (auto& done : stop_handlers) asio::post(strand, [self = shared_from_this(), d = std::move(done)] {
        if (!self->abandoned) d();
    });
    stop_handlers.clear();
}

// The owner is gone: release everything without calling back into it.
void TcpClient::Impl::abandon() {
    stopping = true;
    backoff_timer.cancel();
    queue.clear();
    stop_handlers.clear();
    const auto snapshot = connections;
    for (const auto& conn : snapshot) {
        conn->in_flight.reset();
        close_connection(conn, "client destroyed", TransactionError::cancelled, false);
    }
}

unsigned TcpClient::Impl::count(Connection::State state) const {
    return static_cast<unsigned>(
        std::count_if(connections.begin(), connections.end(), [state](const auto& c) { return c->state == state; }));
}

void TcpClient::Impl::complete(ReadHandler handler, TransactionResult result) {
    asio::post(strand, [self = shared_from_this(), h = std::move(handler), r = std::move(result)]() mutable {
        if (!self->abandoned) h(std::move(r));
    });
}

void TcpClient::Impl::log(LogLevel level, const std::string& message) const {
    if (logger.enabled(level)) logger.log(level, "modbus-tcp", options.name + ": " + message);
}

}  // namespace gridgate::modbus
