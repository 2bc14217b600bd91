// TcpByteChannel: RTU frames over a TCP stream to a serial device server.
#include "gridgate/transport/tcp_byte_channel.hpp"

#include <sys/socket.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "gridgate/transport/tcp_connector.hpp"

namespace gridgate::transport {

namespace asio = boost::asio;
using boost::system::error_code;

struct TcpByteChannel::Impl : std::enable_shared_from_this<TcpByteChannel::Impl> {
    Impl(const asio::any_io_executor& ex, TcpChannelOptions o, Logger& l)
        : executor(ex), options(std::move(o)), logger(l), socket(ex) {}

    std::string endpoint() const { return options.host + ":" + std::to_string(options.port); }

    asio::any_io_executor executor;
    TcpChannelOptions options;
    Logger& logger;
    asio::ip::tcp::socket socket;
    std::shared_ptr<ConnectAttempt> attempt;
};

TcpByteChannel::TcpByteChannel(asio::any_io_executor executor, TcpChannelOptions options, Logger& logger)
    : impl_(std::make_shared<Impl>(executor, std::move(options), logger)) {}

TcpByteChannel::~TcpByteChannel() { close(); }

void TcpByteChannel::async_open(ChannelHandler handler) {
    close();
    auto impl = impl_;
    impl->attempt = connect_with_timeout(
        impl->executor, impl->options.host, impl->options.port, impl->options.connect_timeout,
        [impl, handler = std::move(handler)](const error_code& ec, asio::ip::tcp::socket socket) {
            impl->attempt.reset();
            if (ec) {
                impl->logger.warn("tcp", "connect to " + impl->endpoint() + " failed: " + ec.message());
                return handler(ec);
            }
            impl->socket = std::move(socket);
            impl->logger.info("tcp", "connected to " + impl->endpoint());
            handler({});
        });
}

bool TcpByteChannel::is_open() const { return impl_->socket.is_open(); }

void TcpByteChannel::async_read_some(std::span<std::byte> buffer, ReadSomeHandler handler) {
    impl_->socket.async_read_some(asio::buffer(buffer.data(), buffer.size()), std::move(handler));
}

void TcpByteChannel::async_transmit(std::span<const std::byte> frame, std::function<void()> started,
                                    ChannelHandler handler) {
    if (started) started();
    asio::async_write(impl_->socket, asio::buffer(frame.data(), frame.size()),
                      [handler = std::move(handler)](const error_code& ec, std::size_t) { handler(ec); });
}

void TcpByteChannel::discard_input() {
    if (!impl_->socket.is_open()) return;
    std::array<char, 512> sink{};
    // MSG_DONTWAIT: drop only what is already here. A pending async read simply finds
    // nothing when the reactor next looks.
    while (::recv(impl_->socket.native_handle(), sink.data(), sink.size(), MSG_DONTWAIT) > 0) {
    }
}

void TcpByteChannel::close() {
    if (impl_->attempt) impl_->attempt->cancel();
    error_code ignored;
    impl_->socket.close(ignored);
}

std::string TcpByteChannel::description() const { return "tcp " + impl_->endpoint(); }

}  // namespace gridgate::transport
