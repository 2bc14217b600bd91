#include "gridgate/testing/tcp_proxy.hpp"

#include <array>
#include <atomic>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

namespace gridgate::testing {

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// One client connection and its server-side twin. Lives on the io thread only.
struct Relay {
    explicit Relay(asio::io_context& io) : client(io), server(io) {}
    tcp::socket client;
    tcp::socket server;
    std::array<char, 64 * 1024> upstream{};
    std::array<char, 64 * 1024> downstream{};
    bool established = false;
    bool closed = false;
};

void reset_socket(tcp::socket& socket) {
    error_code ignored;
    if (!socket.is_open()) return;
    socket.set_option(asio::socket_base::linger(true, 0), ignored);  // close sends RST
    socket.close(ignored);
}

}  // namespace

struct TcpProxy::Impl {
    explicit Impl(std::uint16_t target_port) : target(asio::ip::make_address_v4("127.0.0.1"), target_port) {}

    void accept_next();
    void pump(const std::shared_ptr<Relay>& relay, bool up);
    void close(Relay& relay, bool reset);
    std::size_t cut_everything();

    // Runs f on the io thread and returns its result (all relay state lives there).
    template <class F>
    auto on_io(F f) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        asio::post(io, [&task] { task(); });
        return result.get();
    }

    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
    tcp::acceptor acceptor{io};
    tcp::endpoint target;
    std::uint16_t port = 0;
    std::vector<std::weak_ptr<Relay>> relays;  // io thread only
    std::uint64_t armed_remaining = 0;         // io thread only
    std::atomic<bool> armed{false};
    std::atomic<bool> refusing{false};
    std::atomic<std::size_t> cuts{0};
    std::atomic<std::size_t> accepted{0};
    std::atomic<std::size_t> open{0};
    std::atomic<std::uint64_t> upstream_bytes{0};
    std::atomic<std::uint64_t> downstream_bytes{0};
    std::thread thread;
};

void TcpProxy::Impl::accept_next() {
    acceptor.async_accept([this](error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
        if (!ec) {
            ++accepted;
            if (refusing) {
                reset_socket(socket);
            } else {
                auto relay = std::make_shared<Relay>(io);
                relay->client = std::move(socket);
                std::erase_if(relays, [](const auto& weak) { return weak.expired(); });
                relays.push_back(relay);
                relay->server.async_connect(target, [this, relay](error_code connect_ec) {
                    if (relay->closed) return;
                    if (connect_ec) return close(*relay, true);
                    relay->established = true;
                    ++open;
                    pump(relay, true);
                    pump(relay, false);
                });
            }
        }
        accept_next();
    });
}

// Relays one direction: read a chunk, write it all to the other side, repeat.
void TcpProxy::Impl::pump(const std::shared_ptr<Relay>& relay, bool up) {
    tcp::socket& from = up ? relay->client : relay->server;
    auto& buffer = up ? relay->upstream : relay->downstream;
    from.async_read_some(asio::buffer(buffer), [this, relay, up, &buffer](error_code ec, std::size_t n) {
        if (relay->closed) return;
        if (ec) return close(*relay, false);  // one side ended: end the other too
        std::size_t relay_bytes = n;
        bool cut_now = false;
        if (up && armed) {
            if (n >= armed_remaining) {
                relay_bytes = static_cast<std::size_t>(armed_remaining);
                cut_now = true;
                armed = false;
            } else {
                armed_remaining -= n;
            }
        }
        tcp::socket& to = up ? relay->server : relay->client;
        asio::async_write(to, asio::buffer(buffer.data(), relay_bytes),
                          [this, relay, up, cut_now](error_code write_ec, std::size_t written) {
                              (up ? upstream_bytes : downstream_bytes) += written;
                              if (cut_now) {
                                  cut_everything();
                                  return;
                              }
                              if (relay->closed) return;
                              if (write_ec) return close(*relay, false);
                              pump(relay, up);
                          });
    });
}

void TcpProxy::Impl::close(Relay& relay, bool reset) {
    if (relay.closed) return;
    relay.closed = true;
    if (relay.established) --open;
    if (reset) {
        reset_socket(relay.client);
        reset_socket(relay.server);
    } else {
        error_code ignored;
        relay.client.close(ignored);
        relay.server.close(ignored);
    }
}

std::size_t TcpProxy::Impl::cut_everything() {
    std::size_t count = 0;
    for (const auto& weak : relays) {
        if (const auto relay = weak.lock(); relay && !relay->closed) {
            close(*relay, true);
            ++count;
        }
    }
    relays.clear();
    ++cuts;
    return count;
}

TcpProxy::TcpProxy(std::uint16_t target_port) : impl_(std::make_unique<Impl>(target_port)) {
    const tcp::endpoint local(asio::ip::make_address_v4("127.0.0.1"), 0);
    error_code ec;
    impl_->acceptor.open(local.protocol(), ec);
    if (!ec) impl_->acceptor.bind(local, ec);
    if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) impl_->port = impl_->acceptor.local_endpoint(ec).port();
    if (ec) throw std::runtime_error("TcpProxy: cannot listen on 127.0.0.1: " + ec.message());
    impl_->accept_next();
    impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

TcpProxy::~TcpProxy() {
    impl_->on_io([impl = impl_.get()] {
        error_code ignored;
        impl->acceptor.close(ignored);
        return impl->cut_everything();
    });
    impl_->work.reset();
    impl_->io.stop();
    impl_->thread.join();
}

std::uint16_t TcpProxy::port() const { return impl_->port; }

std::size_t TcpProxy::cut_all() {
    return impl_->on_io([impl = impl_.get()] { return impl->cut_everything(); });
}

void TcpProxy::cut_after_upstream_bytes(std::uint64_t bytes) {
    impl_->on_io([impl = impl_.get(), bytes] {
        impl->armed_remaining = bytes;
        impl->armed = true;
        return 0;
    });
}

bool TcpProxy::cut_armed() const { return impl_->armed; }
void TcpProxy::set_refusing(bool refusing) { impl_->refusing = refusing; }
std::size_t TcpProxy::cuts() const { return impl_->cuts; }
std::size_t TcpProxy::accepted() const { return impl_->accepted; }
std::size_t TcpProxy::open_connections() const { return impl_->open; }
std::uint64_t TcpProxy::upstream_bytes() const { return impl_->upstream_bytes; }
std::uint64_t TcpProxy::downstream_bytes() const { return impl_->downstream_bytes; }

}  // namespace gridgate::testing
