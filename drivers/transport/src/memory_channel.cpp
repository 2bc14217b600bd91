// MemoryChannel: the line played by a test.
#include "gridgate/transport/memory_channel.hpp"

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <deque>

namespace gridgate::transport {

namespace asio = boost::asio;
using boost::system::error_code;

struct MemoryChannel::State : std::enable_shared_from_this<MemoryChannel::State> {
    explicit State(asio::any_io_executor ex) : executor(std::move(ex)) {}

    // Completes the pending read if there is one and something to give it.
    void serve_read() {
        if (!read_handler || (pending.empty() && !read_error)) return;
        auto handler = std::move(read_handler);
        read_handler = nullptr;
        if (read_error) {
            const error_code ec = read_error;
            read_error = {};
            return asio::post(executor, [handler, ec] { handler(ec, 0); });
        }
        const std::size_t n = std::min(read_buffer.size(), pending.size());
        std::copy_n(pending.begin(), n, read_buffer.begin());
        pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(n));
        asio::post(executor, [handler, n] { handler({}, n); });
    }

    asio::any_io_executor executor;
    bool open = false;
    error_code open_error;
    std::deque<std::byte> pending;
    std::span<std::byte> read_buffer;
    ReadSomeHandler read_handler;
    error_code read_error;
    std::function<void(std::span<const std::byte>)> transmit_callback;
    std::vector<std::vector<std::byte>> transmitted;
    std::size_t discards = 0;
    std::size_t opens = 0;
};

MemoryChannel::MemoryChannel(asio::any_io_executor executor) : state_(std::make_shared<State>(std::move(executor))) {}

// Drops a pending read without completing it: the executor may already be shutting down.
MemoryChannel::~MemoryChannel() {
    state_->open = false;
    state_->read_handler = nullptr;
}

void MemoryChannel::deliver(std::span<const std::byte> bytes) {
    state_->pending.insert(state_->pending.end(), bytes.begin(), bytes.end());
    state_->serve_read();
}

void MemoryChannel::on_transmit(std::function<void(std::span<const std::byte>)> callback) {
    state_->transmit_callback = std::move(callback);
}

std::vector<std::vector<std::byte>> MemoryChannel::transmitted() const { return state_->transmitted; }

std::size_t MemoryChannel::discards() const { return state_->discards; }

std::size_t MemoryChannel::opens() const { return state_->opens; }

void MemoryChannel::fail_opens(error_code ec) { state_->open_error = ec; }

void MemoryChannel::break_line(error_code ec) {
    state_->open = false;
    state_->read_error = ec;
    state_->serve_read();
}

void MemoryChannel::async_open(ChannelHandler handler) {
    ++state_->opens;
    const error_code ec = state_->open_error;
    state_->open = !ec;
    if (!ec) state_->pending.clear();
    asio::post(state_->executor, [handler = std::move(handler), ec] { handler(ec); });
}

bool MemoryChannel::is_open() const { return state_->open; }

void MemoryChannel::async_read_some(std::span<std::byte> buffer, ReadSomeHandler handler) {
    state_->read_buffer = buffer;
    state_->read_handler = std::move(handler);
    state_->serve_read();
}

void MemoryChannel::async_transmit(std::span<const std::byte> frame, std::function<void()> started,
                                   ChannelHandler handler) {
    // Like a real line: the frame goes out after the caller's current handler returns.
    auto state = state_;
    std::vector<std::byte> copy(frame.begin(), frame.end());
    asio::post(state->executor, [state, copy = std::move(copy), started = std::move(started),
                                 handler = std::move(handler)]() mutable {
        if (!state->open) return handler(asio::error::operation_aborted);
        if (started) started();
        state->transmitted.push_back(copy);
        if (state->transmit_callback) state->transmit_callback(copy);
        handler({});
    });
}

void MemoryChannel::discard_input() {
    ++state_->discards;
    state_->pending.clear();
}

void MemoryChannel::close() {
    state_->open = false;
    state_->pending.clear();
    if (state_->read_handler) {
        state_->read_error = asio::error::operation_aborted;
        state_->serve_read();
    }
}

}  // namespace gridgate::transport
