#include "modbus_tcp_connection.hpp"

#include <chrono>
#include <variant>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include "gridgate/modbus/mbap.hpp"

namespace gridgate::sim {

namespace {
// Stop reading while this much output is unsent: a client that pipelines without
// reading its replies must not grow our memory without bound.
constexpr std::size_t max_pending_output = 256 * 1024;
// Likewise for requests held behind a slow reply.
constexpr std::size_t max_pending_input = 64 * 1024;
}  // namespace

ModbusTcpConnection::ModbusTcpConnection(boost::asio::ip::tcp::socket socket,
                                         std::shared_ptr<MeterTcpServer::State> server)
    : socket_(std::move(socket)), delay_timer_(socket_.get_executor()), server_(std::move(server)) {
    ++server_->active;
    ++server_->meter.stats().connections;
}

ModbusTcpConnection::~ModbusTcpConnection() {
    if (!closed_) --server_->active;
}

void ModbusTcpConnection::start() { read(); }

void ModbusTcpConnection::close() {
    if (closed_) return;
    closed_ = true;
    --server_->active;
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    delay_timer_.cancel();
}

void ModbusTcpConnection::read() {
    if (reading_ || closing_ || closed_ || output_.size() >= max_pending_output || input_.size() >= max_pending_input)
        return;
    reading_ = true;
    socket_.async_read_some(boost::asio::buffer(read_buffer_), [self = shared_from_this()](
                                                                   const boost::system::error_code& ec, std::size_t n) {
        self->on_read(ec, n);
    });
}

void ModbusTcpConnection::on_read(const boost::system::error_code& ec, std::size_t n) {
    reading_ = false;
    if (closed_) return;
    if (ec) {  // EOF or reset: the client is gone
        close();
        return;
    }
    const std::span<const std::byte> received(read_buffer_.data(), n);
    if (server_->trace) server_->logger.trace_frame(server_->meter.id(), "rx", received);
    input_.insert(input_.end(), received.begin(), received.end());
    if (waiting_) read();  // frames wait behind the slow reply; keep watching for EOF
    else process();
}

void ModbusTcpConnection::process() {
    SimulatedMeter& meter = server_->meter;
    std::size_t offset = 0;
    while (!waiting_ && !closing_) {
        const auto decoded = modbus::decode_mbap(std::span<const std::byte>(input_).subspan(offset));
        if (const auto* error = std::get_if<modbus::MbapError>(&decoded)) {
            if (*error == modbus::MbapError::need_more) break;
            ++meter.stats().bad_frames;
            server_->logger.debug("metersim", meter.id() + ": bad MBAP header (" + modbus::to_string(*error) +
                                                  "), closing the connection");
            closing_ = true;
            break;
        }
        const auto& frame = std::get<modbus::MbapDecoded>(decoded);
        Reply reply = meter.on_request(frame.frame.unit_id, frame.frame.pdu, std::chrono::steady_clock::now());
        meter.stats().rx_bytes += frame.consumed;
        offset += frame.consumed;
        if (reply.kind != Reply::Kind::none && reply.delay > Duration::zero()) {
            delayed_ = Delayed{std::move(reply), frame.frame.transaction_id, frame.frame.unit_id};
            waiting_ = true;
            delay_timer_.expires_after(delayed_.reply.delay);
            delay_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& wait_ec) {
                if (wait_ec || self->closed_) return;
                self->waiting_ = false;
                self->emit(self->delayed_.reply, self->delayed_.transaction_id, self->delayed_.unit);
                self->process();
            });
        } else {
            emit(reply, frame.frame.transaction_id, frame.frame.unit_id);
        }
    }
    input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(offset));
    write();
    read();
}

// Of the framing faults only wrong-address means something on TCP (another unit id);
// there is no CRC to corrupt, and noise would desynchronise the stream for good.
void ModbusTcpConnection::emit(const Reply& reply, std::uint16_t transaction_id, std::uint8_t unit) {
    SimulatedMeter& meter = server_->meter;
    const std::size_t before = output_.size();
    switch (reply.kind) {
        case Reply::Kind::none: return;
        case Reply::Kind::pdu: {
            std::uint8_t reply_unit = unit;
            if (reply.framing == Reply::Framing::wrong_address) {
                reply_unit = wrong_address_for(unit);
                ++meter.stats().wrong_address;
            }
            const std::vector<std::byte> adu = modbus::encode_mbap(transaction_id, reply_unit, reply.bytes);
            output_.insert(output_.end(), adu.begin(), adu.end());
            break;
        }
        case Reply::Kind::raw: output_.insert(output_.end(), reply.bytes.begin(), reply.bytes.end()); break;
    }
    meter.stats().tx_bytes += output_.size() - before;
    if (reply.served && server_->log != nullptr) server_->log->record(server_->meter.id(), unit, *reply.served);
}

void ModbusTcpConnection::write() {
    if (closed_ || writing_) return;
    if (output_.empty()) {
        if (closing_) close();
        return;
    }
    writing_ = true;
    in_flight_.swap(output_);
    if (server_->trace) server_->logger.trace_frame(server_->meter.id(), "tx", in_flight_);
    boost::asio::async_write(socket_, boost::asio::buffer(in_flight_),
                             [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                                 self->writing_ = false;
                                 self->in_flight_.clear();
                                 if (self->closed_) return;
                                 if (ec) {
                                     self->close();
                                     return;
                                 }
                                 self->write();
                                 self->read();
                             });
}

}  // namespace gridgate::sim
