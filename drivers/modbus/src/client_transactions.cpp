// TcpClient: one transaction on one socket — send, match the reply, time out.
#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

#include "tcp_client_impl.hpp"

namespace gridgate::modbus {

namespace asio = boost::asio;

namespace {
// How many timed-out transaction ids a socket remembers; a late reply older than that
// is still dropped (it cannot match the current tid), only counted as stray.
constexpr std::size_t remembered_timeouts = 8;

}  // namespace

std::uint16_t TcpClient::Impl::next_transaction_id(const Connection& conn) {
    // 16-bit wrap is expected; skip ids whose late reply this socket may still deliver.
    do {
        ++last_tid;
    } while (std::find(conn.timed_out_tids.begin(), conn.timed_out_tids.end(), last_tid) != conn.timed_out_tids.end());
    return last_tid;
}

void TcpClient::Impl::start_transaction(const ConnectionPtr& conn, PendingRead read) {
    const std::uint16_t tid = next_transaction_id(*conn);
    conn->tx = encode_mbap(tid, read.unit_id, encode_read_request(read.request));
    logger.trace_frame(read.trace_id, "tx", conn->tx);

    const Duration timeout = read.timeout;
    conn->in_flight = std::move(read);
    conn->in_flight_tid = tid;
    const std::uint64_t serial = ++conn->transaction_serial;

    conn->writing = true;
    asio::async_write(conn->socket, asio::buffer(conn->tx),
                      [self = shared_from_this(), conn](const boost::system::error_code& ec, std::size_t) {
                          self->on_written(conn, ec);
                      });
    conn->request_timer.expires_after(timeout);
    conn->request_timer.async_wait([self = shared_from_this(), conn, serial](const boost::system::error_code& ec) {
        if (!ec) self->on_timeout(conn, serial);
    });
}

void TcpClient::Impl::on_written(const ConnectionPtr& conn, const boost::system::error_code& ec) {
    conn->writing = false;
    if (conn->state != Connection::State::open) return;
    if (ec) return close_connection(conn, "write failed: " + ec.message(), TransactionError::disconnected, true);
    // The transaction may already have ended (a timeout while the write was stuck).
    if (!conn->in_flight) after_transaction(conn);
}

void TcpClient::Impl::start_receive(const ConnectionPtr& conn) {
    auto free_space = asio::buffer(conn->rx.data() + conn->rx_len, conn->rx.size() - conn->rx_len);
    conn->socket.async_read_some(free_space, [self = shared_from_this(), conn](const boost::system::error_code& ec,
                                                                              std::size_t n) {
        self->on_received(conn, ec, n);
    });
}

void TcpClient::Impl::on_received(const ConnectionPtr& conn, const boost::system::error_code& ec, std::size_t n) {
    if (conn->state != Connection::State::open) return;
    if (ec) {
        const std::string why = ec == asio::error::eof ? std::string("closed by peer") : ec.message();
        return close_connection(conn, why, TransactionError::disconnected, true);
    }
    conn->rx_len += n;

    while (true) {
        const std::span<const std::byte> buffered(conn->rx.data(), conn->rx_len);
        const MbapResult result = decode_mbap(buffered);
        if (const auto* error = std::get_if<MbapError>(&result)) {
            if (*error == MbapError::need_more && conn->rx_len < conn->rx.size()) break;
            ++stats.discarded_frames;
            logger.trace_frame(conn->in_flight ? conn->in_flight->trace_id : options.name, "rx", buffered);
            return close_connection(conn, std::string("framing error: ") + to_string(*error),
                                    TransactionError::disconnected, false);
        }
        const auto& decoded = std::get<MbapDecoded>(result);
        on_frame(conn, decoded.frame, buffered.first(decoded.consumed));
        if (conn->state != Connection::State::open) return;
        std::memmove(conn->rx.data(), conn->rx.data() + decoded.consumed, conn->rx_len - decoded.consumed);
        conn->rx_len -= decoded.consumed;
    }
    start_receive(conn);
}

void TcpClient::Impl::on_frame(const ConnectionPtr& conn, const MbapFrame& frame, std::span<const std::byte> raw) {
    const bool matches = conn->in_flight && frame.transaction_id == conn->in_flight_tid &&
                         frame.unit_id == conn->in_flight->unit_id;
    logger.trace_frame(conn->in_flight ? conn->in_flight->trace_id : options.name, "rx", raw);
    if (!matches) {
        // Never hand a reply to a request it was not meant for.
        ++stats.discarded_frames;
        auto& late = conn->timed_out_tids;
        const auto it = std::find(late.begin(), late.end(), frame.transaction_id);
        const bool was_late = it != late.end();
        if (was_late) late.erase(it);
        log(LogLevel::debug, std::string(was_late ? "dropped late reply" : "dropped stray reply") +
                                 " tid " + std::to_string(frame.transaction_id) + " unit " +
                                 std::to_string(frame.unit_id));
        return;
    }

    PendingRead read = std::move(*conn->in_flight);
    conn->in_flight.reset();
    conn->request_timer.cancel();
    conn->consecutive_timeouts = 0;
    ++conn->completed;

    ResponseResult decoded = decode_read_response(read.request, frame.pdu);
    if (auto* response = std::get_if<ReadResponse>(&decoded)) {
        ++stats.responses;
        complete(std::move(read.handler), std::move(*response));
    } else if (const auto* exception = std::get_if<ExceptionResponse>(&decoded)) {
        ++stats.responses;
        ++stats.exceptions;
        complete(std::move(read.handler), *exception);
    } else {
        ++stats.discarded_frames;
        log(LogLevel::warn, "undecodable reply tid " + std::to_string(frame.transaction_id) + ": " +
                                to_string(std::get<DecodeError>(decoded)));
        complete(std::move(read.handler), TransactionError::bad_response);
    }
    after_transaction(conn);
}

void TcpClient::Impl::on_timeout(const ConnectionPtr& conn, std::uint64_t serial) {
    if (conn->state != Connection::State::open || !conn->in_flight || serial != conn->transaction_serial) return;
    ++stats.timeouts;
    ++conn->consecutive_timeouts;
    conn->timed_out_tids.push_back(conn->in_flight_tid);
    if (conn->timed_out_tids.size() > remembered_timeouts) conn->timed_out_tids.pop_front();
    log(LogLevel::debug, "timeout tid " + std::to_string(conn->in_flight_tid));

    PendingRead read = std::move(*conn->in_flight);
    conn->in_flight.reset();
    complete(std::move(read.handler), TransactionError::timeout);
    // The request may still be stuck in the write; the socket is reused only after it.
    if (!conn->writing) after_transaction(conn);
}

}  // namespace gridgate::modbus
