#include "gridgate/sim/dnp3_tcp_server.hpp"

#include <array>
#include <map>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "dnp3_runtime.hpp"

namespace gridgate::sim {

namespace {
class Dnp3TcpConnection;

std::span<const std::byte> as_bytes(std::span<const std::uint8_t> s) { return std::as_bytes(s); }
}  // namespace

struct Dnp3TcpServer::State {
    State(boost::asio::io_context& io, Dnp3Outstation& o, const Dnp3TcpOptions& opt, Logger& lg)
        : acceptor(io), outstation(o), options(opt), logger(lg), trace(lg.trace_enabled(o.id())) {}

    void route(std::vector<Dnp3Transmit>& out);

    boost::asio::ip::tcp::acceptor acceptor;
    Dnp3Outstation& outstation;
    Dnp3TcpOptions options;
    Logger& logger;
    bool trace;
    bool stopped = false;
    std::size_t active = 0;
    Dnp3ChannelId next_channel = 1;
    std::map<Dnp3ChannelId, std::weak_ptr<Dnp3TcpConnection>> connections;
    std::shared_ptr<Dnp3TimerLoop> timers;
};

namespace {

class Dnp3TcpConnection : public std::enable_shared_from_this<Dnp3TcpConnection> {
public:
    Dnp3TcpConnection(boost::asio::ip::tcp::socket socket, std::shared_ptr<Dnp3TcpServer::State> server,
                      Dnp3ChannelId channel)
        : socket_(std::move(socket)),
          idle_timer_(socket_.get_executor()),
          delay_timer_(socket_.get_executor()),
          server_(std::move(server)),
          channel_(channel) {
        ++server_->active;
        ++server_->outstation.stats().connections;
    }

    ~Dnp3TcpConnection() {
        if (!closed_) --server_->active;
    }

    void start() {
        arm_idle();
        read();
    }

    void close() {
        if (closed_) return;
        closed_ = true;
        --server_->active;
        server_->outstation.close_channel(channel_);
        server_->connections.erase(channel_);
        boost::system::error_code ignored;
        socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
        idle_timer_.cancel();
        delay_timer_.cancel();
    }

    void send(const Dnp3Transmit& t) {
        if (closed_) return;
        queue_.push(std::chrono::steady_clock::now(), t.delay, t.bytes);
        pump();
    }

private:
    void read() {
        socket_.async_read_some(
            boost::asio::buffer(buffer_),
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) { self->on_read(ec, n); });
    }

    void on_read(const boost::system::error_code& ec, std::size_t n) {
        if (closed_ || server_->stopped) return;
        if (ec) {  // EOF or reset: the master is gone
            close();
            return;
        }
        arm_idle();
        const std::span<const std::uint8_t> received(buffer_.data(), n);
        Dnp3Outstation& o = server_->outstation;
        if (server_->trace) server_->logger.trace_frame(o.id(), "rx", as_bytes(received));
        std::vector<dnp3::LinkFrame> frames;
        parser_.feed(received, frames);
        std::vector<Dnp3Transmit> out;
        const Dnp3Now now = dnp3_now();
        for (const dnp3::LinkFrame& frame : frames) o.on_frame(channel_, frame, now, out);
        server_->route(out);
        server_->timers->rearm();
        read();
    }

    void arm_idle() {
        const Duration timeout = server_->options.inactivity_timeout;
        if (timeout <= Duration::zero()) return;
        idle_timer_.expires_after(timeout);
        idle_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            const auto self = weak.lock();
            if (ec || !self || self->closed_) return;
            ++self->server_->outstation.stats().inactivity_closes;
            self->close();
        });
    }

    // Writes what is due, one write at a time; waits for the next due time otherwise.
    void pump() {
        if (closed_ || writing_) return;
        const SteadyTime now = std::chrono::steady_clock::now();
        in_flight_ = queue_.take_due(now);
        if (in_flight_.empty()) {
            if (const auto due = queue_.next_due()) {
                delay_timer_.expires_at(*due);
                delay_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
                    const auto self = weak.lock();
                    if (!ec && self) self->pump();
                });
            }
            return;
        }
        writing_ = true;
        if (server_->trace) server_->logger.trace_frame(server_->outstation.id(), "tx", as_bytes(in_flight_));
        boost::asio::async_write(socket_, boost::asio::buffer(in_flight_),
                                 [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                                     self->writing_ = false;
                                     if (self->closed_) return;
                                     if (ec) {
                                         self->close();
                                         return;
                                     }
                                     self->pump();
                                 });
    }

    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer idle_timer_;
    boost::asio::steady_timer delay_timer_;
    std::shared_ptr<Dnp3TcpServer::State> server_;
    Dnp3ChannelId channel_;
    std::array<std::uint8_t, 4096> buffer_{};
    dnp3::LinkParser parser_;
    Dnp3OutputQueue queue_;
    std::vector<std::uint8_t> in_flight_;
    bool writing_ = false;
    bool closed_ = false;
};

void accept_next(const std::shared_ptr<Dnp3TcpServer::State>& state) {
    state->acceptor.async_accept([state](const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket) {
        if (state->stopped) return;
        if (!ec) {
            if (state->active >= state->options.max_connections) {
                // Like the meter: the connection is taken and dropped at once.
                ++state->outstation.stats().rejected_connections;
                boost::system::error_code ignored;
                socket.close(ignored);
            } else {
                const Dnp3ChannelId channel = state->next_channel++;
                auto connection = std::make_shared<Dnp3TcpConnection>(std::move(socket), state, channel);
                state->connections[channel] = connection;
                connection->start();
            }
        } else if (ec == boost::asio::error::operation_aborted) {
            return;
        } else {
            state->logger.warn("metersim", state->outstation.id() + ": accept failed: " + ec.message());
        }
        accept_next(state);
    });
}

}  // namespace

void Dnp3TcpServer::State::route(std::vector<Dnp3Transmit>& out) {
    for (const Dnp3Transmit& t : out) {
        const auto it = connections.find(t.channel);
        if (it == connections.end()) continue;
        if (const auto connection = it->second.lock()) connection->send(t);
    }
    out.clear();
}

Dnp3TcpServer::Dnp3TcpServer(boost::asio::io_context& io, Dnp3Outstation& outstation,
                             const boost::asio::ip::tcp::endpoint& endpoint, const Dnp3TcpOptions& options,
                             Logger& logger)
    : state_(std::make_shared<State>(io, outstation, options, logger)) {
    auto& acceptor = state_->acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(boost::asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen();
    port_ = acceptor.local_endpoint().port();
    outstation.set_port(port_);
    std::weak_ptr<State> weak = state_;
    state_->timers = std::make_shared<Dnp3TimerLoop>(io.get_executor(), std::vector<Dnp3Outstation*>{&outstation},
                                                     [weak](std::vector<Dnp3Transmit>& out) {
                                                         if (const auto s = weak.lock()) s->route(out);
                                                     });
    state_->timers->rearm();
    accept_next(state_);
}

Dnp3TcpServer::~Dnp3TcpServer() { stop(); }

std::size_t Dnp3TcpServer::active_connections() const { return state_->active; }

void Dnp3TcpServer::stop() {
    if (state_->stopped) return;
    state_->stopped = true;
    state_->timers->stop();
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    const auto connections = state_->connections;  // close() erases from the map
    for (const auto& [channel, weak] : connections)
        if (auto connection = weak.lock()) connection->close();
    state_->connections.clear();
}

}  // namespace gridgate::sim
