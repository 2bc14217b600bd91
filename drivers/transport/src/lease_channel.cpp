// LeaseChannel and ChannelLease: a lease's view of a line its owner keeps reading.
#include "gridgate/transport/lease_channel.hpp"

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

namespace gridgate::transport {

namespace asio = boost::asio;
using boost::system::error_code;

LeaseChannel::LeaseChannel(ByteChannel& line, asio::any_io_executor executor)
    : line_(line), executor_(std::move(executor)) {}

error_code LeaseChannel::unusable() const {
    if (failure_) return failure_;
    if (ended_ || closed_by_user_) return asio::error::operation_aborted;
    if (!line_.is_open()) return asio::error::not_connected;
    return {};
}

void LeaseChannel::serve_read() {
    if (!read_handler_) return;
    if (const error_code ec = unusable()) {
        auto handler = std::move(read_handler_);
        read_handler_ = nullptr;
        pending_.clear();
        asio::post(executor_, [handler = std::move(handler), ec] { handler(ec, 0); });
        return;
    }
    if (pending_.empty()) return;
    auto handler = std::move(read_handler_);
    read_handler_ = nullptr;
    const std::size_t n = std::min(read_buffer_.size(), pending_.size());
    std::copy_n(pending_.begin(), n, read_buffer_.begin());
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
    asio::post(executor_, [handler = std::move(handler), n] { handler({}, n); });
}

void LeaseChannel::deliver(std::span<const std::byte> bytes) {
    if (unusable()) return;
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    serve_read();
}

void LeaseChannel::fail(const error_code& ec) {
    if (!failure_) failure_ = ec ? ec : asio::error::operation_aborted;
    serve_read();
}

void LeaseChannel::end(std::function<void()> then) {
    ended_ = true;
    serve_read();
    // A frame half on the wire must finish before anyone else transmits.
    if (transmitting_ > 0) {
        after_transmit_ = std::move(then);
        return;
    }
    if (then) then();
}

void LeaseChannel::async_open(ChannelHandler handler) {
    const error_code ec = unusable();
    asio::post(executor_, [handler = std::move(handler), ec] { handler(ec); });
}

bool LeaseChannel::is_open() const { return !unusable(); }

void LeaseChannel::async_read_some(std::span<std::byte> buffer, ReadSomeHandler handler) {
    read_buffer_ = buffer;
    read_handler_ = std::move(handler);
    serve_read();
}

void LeaseChannel::async_transmit(std::span<const std::byte> frame, std::function<void()> started,
                                  ChannelHandler handler) {
    if (const error_code ec = unusable()) {
        asio::post(executor_, [handler = std::move(handler), ec] { handler(ec); });
        return;
    }
    ++transmitting_;
    line_.async_transmit(frame, std::move(started),
                         [self = shared_from_this(), handler = std::move(handler)](const error_code& ec) {
                             --self->transmitting_;
                             handler(ec);
                             if (self->transmitting_ == 0 && self->after_transmit_) {
                                 auto then = std::move(self->after_transmit_);
                                 self->after_transmit_ = nullptr;
                                 then();
                             }
                         });
}

void LeaseChannel::discard_input() {
    pending_.clear();
    if (!unusable()) line_.discard_input();
}

void LeaseChannel::close() {
    closed_by_user_ = true;
    serve_read();
}

std::string LeaseChannel::description() const { return line_.description(); }

ChannelLease::ChannelLease(std::shared_ptr<LeaseChannel> channel, std::function<void(bool)> on_release)
    : channel_(std::move(channel)), on_release_(std::move(on_release)) {}

ChannelLease::~ChannelLease() { release(false); }

void ChannelLease::release(bool line_failed) {
    if (!on_release_) return;
    auto on_release = std::move(on_release_);
    on_release_ = nullptr;
    on_release(line_failed);
}

}  // namespace gridgate::transport
