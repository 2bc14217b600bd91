#include "gridgate/sim/dlms_tcp_server.hpp"

#include <array>
#include <deque>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "gridgate/dlms/wrapper.hpp"

namespace gridgate::sim {

namespace {
class DlmsTcpConnection;

// The wPort of the management logical device, the only one the meter has.
constexpr std::uint16_t management_wport = 1;
}  // namespace

struct DlmsTcpServer::State {
    State(boost::asio::io_context& io, DlmsMeter& m, const DlmsTcpOptions& o, Logger& lg)
        : acceptor(io), meter(m), options(o), logger(lg), trace(lg.trace_enabled(m.id())) {}

    boost::asio::ip::tcp::acceptor acceptor;
    DlmsMeter& meter;
    DlmsTcpOptions options;
    Logger& logger;
    bool trace;
    bool stopped = false;
    std::weak_ptr<DlmsTcpConnection> connection;  // the one association's
};

namespace {

class DlmsTcpConnection : public std::enable_shared_from_this<DlmsTcpConnection> {
public:
    DlmsTcpConnection(boost::asio::ip::tcp::socket socket, std::shared_ptr<DlmsTcpServer::State> server)
        : socket_(std::move(socket)),
          idle_timer_(socket_.get_executor()),
          server_(std::move(server)),
          parser_(server_->options.max_apdu) {
        ++server_->meter.tcp_stats().connections;
    }

    void start() {
        arm_idle();
        read();
    }

    bool closed() const { return closed_; }

    void close() {
        if (closed_) return;
        closed_ = true;
        server_->meter.server().end_association(association_);
        boost::system::error_code ignored;
        socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
        idle_timer_.cancel();
        queue_.clear();
    }

private:
    void read() {
        socket_.async_read_some(
            boost::asio::buffer(buffer_),
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) { self->on_read(ec, n); });
    }

    void on_read(const boost::system::error_code& ec, std::size_t n) {
        if (closed_ || server_->stopped) return;
        if (ec) {  // EOF or reset: the client is gone
            close();
            return;
        }
        arm_idle();
        DlmsMeter& meter = server_->meter;
        DlmsTcpStats& stats = meter.tcp_stats();
        const std::span<const std::uint8_t> received(buffer_.data(), n);
        stats.rx_bytes += n;
        if (server_->trace) server_->logger.trace_frame(meter.id(), "rx", std::as_bytes(received));
        const std::vector<dlms::WrapperPdu> pdus = parser_.feed(received);
        for (const dlms::WrapperPdu& pdu : pdus) {
            if (pdu.destination != management_wport) {  // no such logical device: silence
                ++stats.wrong_destination;
                continue;
            }
            ++stats.apdus_rx;
            const std::vector<std::uint8_t> response =
                meter.server().handle_apdu(association_, pdu.source, pdu.apdu, meter.utc_now());
            if (response.empty()) continue;
            ++stats.apdus_tx;
            send(dlms::encode_wrapper(management_wport, pdu.source, response));
        }
        if (parser_.failed()) {  // the stream is out of step: nothing after this can be trusted
            ++stats.wrapper_errors;
            server_->logger.debug("metersim", meter.id() + ": closing, " + parser_.error());
            close();
            return;
        }
        read();
    }

    void arm_idle() {
        const Duration timeout = server_->options.inactivity_timeout;
        if (timeout <= Duration::zero()) return;
        idle_timer_.expires_after(timeout);
        idle_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            const auto self = weak.lock();
            if (ec || !self || self->closed_) return;
            ++self->server_->meter.tcp_stats().inactivity_closes;
            self->close();
        });
    }

    void send(std::vector<std::uint8_t> bytes) {
        server_->meter.tcp_stats().tx_bytes += bytes.size();
        queue_.push_back(std::move(bytes));
        pump();
    }

    void pump() {
        if (closed_ || writing_ || queue_.empty()) return;
        writing_ = true;
        in_flight_ = std::move(queue_.front());
        queue_.pop_front();
        if (server_->trace)
            server_->logger.trace_frame(server_->meter.id(), "tx",
                                        std::as_bytes(std::span<const std::uint8_t>(in_flight_)));
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
    std::shared_ptr<DlmsTcpServer::State> server_;
    dlms::WrapperParser parser_;
    DlmsAssociation association_;
    std::array<std::uint8_t, 4096> buffer_{};
    std::deque<std::vector<std::uint8_t>> queue_;
    std::vector<std::uint8_t> in_flight_;
    bool writing_ = false;
    bool closed_ = false;
};

void refuse(boost::asio::ip::tcp::socket& socket) {
    boost::system::error_code ignored;
    socket.close(ignored);
}

void accept_next(const std::shared_ptr<DlmsTcpServer::State>& state) {
    state->acceptor.async_accept([state](const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket) {
        if (state->stopped) return;
        if (!ec) {
            const auto current = state->connection.lock();
            if (!state->meter.link_up()) {
                // An unreachable meter: the connection goes as soon as it came.
                ++state->meter.tcp_stats().refused_link_down;
                refuse(socket);
            } else if (current && !current->closed()) {
                // Like the meter: one DLMS connection per port; the next is taken and dropped.
                ++state->meter.tcp_stats().rejected_connections;
                refuse(socket);
            } else {
                auto connection = std::make_shared<DlmsTcpConnection>(std::move(socket), state);
                state->connection = connection;
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

DlmsTcpServer::DlmsTcpServer(boost::asio::io_context& io, DlmsMeter& meter,
                             const boost::asio::ip::tcp::endpoint& endpoint, const DlmsTcpOptions& options,
                             Logger& logger)
    : state_(std::make_shared<State>(io, meter, options, logger)) {
    auto& acceptor = state_->acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(boost::asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen();
    port_ = acceptor.local_endpoint().port();
    meter.set_port(port_);
    meter.add_link_listener([weak = std::weak_ptr<State>(state_)](bool up) {
        const auto state = weak.lock();
        if (up || !state) return;
        if (const auto connection = state->connection.lock()) connection->close();
    });
    accept_next(state_);
}

DlmsTcpServer::~DlmsTcpServer() { stop(); }

bool DlmsTcpServer::connected() const {
    const auto connection = state_->connection.lock();
    return connection && !connection->closed();
}

void DlmsTcpServer::stop() {
    if (state_->stopped) return;
    state_->stopped = true;
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    if (const auto connection = state_->connection.lock()) connection->close();
}

}  // namespace gridgate::sim
