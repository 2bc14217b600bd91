#include "gridgate/transport/tcp_connector.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/steady_timer.hpp>
#include <string>

namespace gridgate::transport {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

class TcpConnectAttempt final : public ConnectAttempt, public std::enable_shared_from_this<TcpConnectAttempt> {
public:
    TcpConnectAttempt(const asio::any_io_executor& executor, ConnectHandler handler)
        : resolver_(executor), socket_(executor), timer_(executor), handler_(std::move(handler)) {}

    void start(const std::string& host, std::uint16_t port, Duration timeout) {
        timer_.expires_after(timeout);
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec || self->finished_) return;
            self->timed_out_ = true;
            self->abort_io();
        });
        resolver_.async_resolve(host, std::to_string(port), tcp::resolver::numeric_service,
                                [self = shared_from_this()](const boost::system::error_code& ec,
                                                            const tcp::resolver::results_type& results) {
                                    self->on_resolved(ec, results);
                                });
    }

    void cancel() override {
        if (finished_) return;
        cancelled_ = true;
        abort_io();
    }

private:
    void on_resolved(const boost::system::error_code& ec, const tcp::resolver::results_type& results) {
        if (ec || timed_out_ || cancelled_) return finish(ec);
        asio::async_connect(socket_, results,
                            [self = shared_from_this()](const boost::system::error_code& cec, const tcp::endpoint&) {
                                self->finish(cec);
                            });
    }

    void abort_io() {
        resolver_.cancel();
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

    void finish(boost::system::error_code ec) {
        if (finished_) return;
        finished_ = true;
        timer_.cancel();
        // The timer or cancel() may have won the race against a connect that had
        // already succeeded; their verdict stands.
        if (cancelled_) ec = asio::error::operation_aborted;
        else if (timed_out_) ec = asio::error::timed_out;
        if (!ec) {
            socket_.set_option(tcp::no_delay(true), ec);
            if (!ec) socket_.set_option(asio::socket_base::keep_alive(true), ec);
        }
        if (ec) {
            boost::system::error_code ignored;
            socket_.close(ignored);
        }
        auto handler = std::move(handler_);
        handler(ec, std::move(socket_));
    }

    tcp::resolver resolver_;
    tcp::socket socket_;
    asio::steady_timer timer_;
    ConnectHandler handler_;
    bool finished_ = false;
    bool timed_out_ = false;
    bool cancelled_ = false;
};

}  // namespace

std::shared_ptr<ConnectAttempt> connect_with_timeout(const asio::any_io_executor& executor, const std::string& host,
                                                     std::uint16_t port, Duration timeout, ConnectHandler handler) {
    auto attempt = std::make_shared<TcpConnectAttempt>(executor, std::move(handler));
    attempt->start(host, port, timeout);
    return attempt;
}

}  // namespace gridgate::transport
