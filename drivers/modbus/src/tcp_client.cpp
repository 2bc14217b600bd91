// TcpClient's public face: forwards onto the strand, reports stats.
#include "gridgate/modbus/tcp_client.hpp"

#include <boost/asio/post.hpp>

#include "tcp_client_impl.hpp"

namespace gridgate::modbus {

namespace asio = boost::asio;

TcpClient::TcpClient(asio::any_io_executor executor, TcpClientOptions options, Logger& logger)
    : impl_(std::make_shared<Impl>(executor, std::move(options), logger)) {}

TcpClient::~TcpClient() {
    impl_->abandoned = true;  // from here on no user handler runs
    asio::post(impl_->strand, [impl = impl_] { impl->abandon(); });
}

void TcpClient::read(std::uint8_t unit_id, const ReadRequest& request, Duration timeout, std::string trace_id,
                     std::function<void(TransactionResult)> handler) {
    ++impl_->stats.requests;
    PendingRead pending{unit_id, request, timeout, std::move(trace_id), std::move(handler)};
    asio::post(impl_->strand, [impl = impl_, p = std::move(pending)]() mutable { impl->enqueue(std::move(p)); });
}

void TcpClient::submit(ReadCall call, ReadHandler handler) {
    read(call.unit_id, call.request, call.timeout, std::move(call.trace_id), std::move(handler));
}

void TcpClient::stop(std::function<void()> done) {
    asio::post(impl_->strand, [impl = impl_, d = std::move(done)]() mutable { impl->begin_stop(std::move(d)); });
}

TcpClientStats TcpClient::stats() const {
    const StatsCounters& s = impl_->stats;
    TcpClientStats out;
    out.requests = s.requests.load();
    out.responses = s.responses.load();
    out.exceptions = s.exceptions.load();
    out.timeouts = s.timeouts.load();
    out.discarded_frames = s.discarded_frames.load();
    out.connects = s.connects.load();
    out.connect_failures = s.connect_failures.load();
    out.disconnects = s.disconnects.load();
    out.open_connections = s.open_connections.load();
    return out;
}

const TcpClientOptions& TcpClient::options() const { return impl_->options; }

asio::any_io_executor TcpClient::executor() const { return impl_->strand; }

}  // namespace gridgate::modbus
