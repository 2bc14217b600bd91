// The listener and the thread of the alarm receiver; each connection is an AlarmSession.
#include "gridgate/notify/alarm_receiver.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <stdexcept>
#include <thread>

#include "alarm_session.hpp"
#include "receiver_state.hpp"
#include "tls_setup.hpp"

namespace gridgate::notify {
namespace net = boost::asio;
using net::ip::tcp;
using detail::log_component;

struct HttpsAlarmReceiver::Impl {
    Impl(AlarmReceiverOptions options, AlarmHandler& handler, Logger& logger)
        : state(std::move(options), handler, logger) {}

    void accept_next();
    void on_accept(boost::system::error_code ec, tcp::socket socket);
    void shut_down();

    // Declared first so it outlives the io_context and everything queued on it.
    detail::ReceiverState state;
    net::io_context io{1};
    tcp::acceptor acceptor{io};
    net::steady_timer accept_retry{io};
    std::uint16_t bound_port = 0;
    std::thread thread;
};

void HttpsAlarmReceiver::Impl::accept_next() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void HttpsAlarmReceiver::Impl::on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (!acceptor.is_open()) return;
    if (ec) {
        // Out of descriptors and the like: try again shortly rather than spin.
        state.logger.warn(log_component, "accept failed: " + ec.message());
        accept_retry.expires_after(std::chrono::milliseconds(100));
        accept_retry.async_wait([this](boost::system::error_code wec) {
            if (!wec && acceptor.is_open()) accept_next();
        });
        return;
    }
    state.count([](auto& s) { ++s.connections; });
    if (state.sessions.size() >= state.options.max_connections) {
        state.count([](auto& s) { ++s.refused_connections; });
        boost::system::error_code ignored;
        const auto ep = socket.remote_endpoint(ignored);
        state.logger.warn(log_component, "refused connection from " + ep.address().to_string() + ":" +
                                             std::to_string(ep.port()) + ": " +
                                             std::to_string(state.options.max_connections) + " connections open");
        socket.close(ignored);
    } else {
        auto session = std::make_shared<detail::AlarmSession>(std::move(socket), state);
        state.sessions.emplace(session.get(), session);
        session->start();
    }
    accept_next();
}

// On the receiver's thread: no new connections, every open one cut, then the loop ends.
void HttpsAlarmReceiver::Impl::shut_down() {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    accept_retry.cancel();
    const auto sessions = state.sessions;  // close() removes itself from the map
    for (const auto& [raw, weak] : sessions)
        if (auto s = weak.lock()) s->close();
    io.stop();
}

HttpsAlarmReceiver::HttpsAlarmReceiver(AlarmReceiverOptions options, AlarmHandler& handler, Logger& logger) {
    if (options.max_body_bytes == 0 || options.max_json_bytes == 0)
        throw std::invalid_argument("alarm receiver: body limits must be positive");
    if (options.request_timeout <= Duration::zero() || options.idle_timeout <= Duration::zero())
        throw std::invalid_argument("alarm receiver: timeouts must be positive");
    if (options.max_connections == 0) throw std::invalid_argument("alarm receiver: max_connections must be positive");
    if (options.path.empty() || options.path.front() != '/')
        throw std::invalid_argument("alarm receiver: path must start with '/'");
    impl_ = std::make_unique<Impl>(std::move(options), handler, logger);
}

HttpsAlarmReceiver::~HttpsAlarmReceiver() { stop(); }

void HttpsAlarmReceiver::start() {
    if (impl_->thread.joinable()) return;
    auto& o = impl_->state.options;
    boost::system::error_code ec;
    const auto address = net::ip::make_address(o.listen_address, ec);
    if (ec) throw std::runtime_error("alarm receiver: bad listen address " + o.listen_address);
    const tcp::endpoint endpoint(address, o.port);
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        boost::system::error_code ignored;
        acceptor.close(ignored);
        throw std::runtime_error("alarm receiver: cannot listen on " + o.listen_address + ":" + std::to_string(o.port) +
                                 ": " + ec.message());
    }
    impl_->bound_port = acceptor.local_endpoint().port();
    impl_->accept_next();
    impl_->state.logger.info(log_component, "listening on https://" + o.listen_address + ":" +
                                                std::to_string(impl_->bound_port) + o.path);
    impl_->thread = std::thread([impl = impl_.get()] {
        try {
            impl->io.run();
        } catch (const std::exception& e) {
            impl->state.logger.error(log_component, std::string("receiver thread ended: ") + e.what());
        }
    });
}

void HttpsAlarmReceiver::stop() {
    if (!impl_ || !impl_->thread.joinable()) return;
    net::post(impl_->io, [impl = impl_.get()] { impl->shut_down(); });
    impl_->thread.join();
}

std::uint16_t HttpsAlarmReceiver::port() const { return impl_->bound_port; }

AlarmReceiverStats HttpsAlarmReceiver::stats() const { return impl_->state.snapshot(); }

}  // namespace gridgate::notify
