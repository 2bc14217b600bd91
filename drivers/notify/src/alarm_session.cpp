#include "alarm_session.hpp"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <exception>
#include <limits>

#include "tls_setup.hpp"

namespace gridgate::notify::detail {
namespace net = boost::asio;
namespace http = boost::beast::http;

namespace {

constexpr std::uint32_t max_head_bytes = 16 * 1024;
// How long a connection refused mid-upload is still read (and discarded) after the
// reply, so closing it does not reset the reply away before the client has read it.
constexpr auto drain_time = std::chrono::seconds(1);

std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

std::string endpoint_text(const net::ip::tcp::socket& socket) {
    boost::system::error_code ec;
    const auto ep = socket.remote_endpoint(ec);
    return ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
}

// Errors that only mean the peer went away (or we cut it), as opposed to a bad request.
// Anything that is not an HTTP parse error is the transport (EOF, reset, TLS truncation).
bool is_disconnect(const boost::system::error_code& ec) {
    return ec == http::error::end_of_stream || ec == http::error::partial_message ||
           ec.category() != make_error_code(http::error::end_of_stream).category();
}

}  // namespace

AlarmSession::AlarmSession(net::ip::tcp::socket socket, ReceiverState& state)
    : state_(state), stream_(std::move(socket), state.tls), deadline_(stream_.get_executor()),
      peer_(endpoint_text(stream_.next_layer())) {}

void AlarmSession::start() {
    arm(state_.options.request_timeout, Phase::handshake);
    stream_.async_handshake(net::ssl::stream_base::server,
                            [self = shared_from_this()](error_code ec) { self->on_handshake(ec); });
}

void AlarmSession::close() {
    if (closed_) return;
    closed_ = true;
    ++generation_;
    deadline_.cancel();
    error_code ignored;
    stream_.next_layer().close(ignored);
    state_.sessions.erase(this);
}

void AlarmSession::arm(Duration timeout, Phase phase) {
    phase_ = phase;
    const unsigned generation = ++generation_;
    deadline_.expires_after(timeout);
    deadline_.async_wait([self = shared_from_this(), generation](error_code ec) {
        if (!ec) self->on_deadline(generation);
    });
}

void AlarmSession::on_deadline(unsigned generation) {
    if (closed_ || generation != generation_) return;
    switch (phase_) {
    case Phase::handshake:
    case Phase::request:
    case Phase::writing:
        state_.count([](auto& s) { ++s.timeouts; });
        state_.logger.warn(log_component, "cut " + peer_ + ": request not complete within the request timeout (" +
                                              (phase_ == Phase::handshake ? "TLS handshake" :
                                               phase_ == Phase::request   ? "reading the request" :
                                                                            "writing the reply") + ")");
        break;
    case Phase::idle:
        state_.logger.debug(log_component, "closed idle keep-alive connection of " + peer_);
        break;
    case Phase::closing:
        break;
    }
    close();
}

void AlarmSession::on_handshake(error_code ec) {
    if (closed_) return;
    if (ec) {
        state_.count([](auto& s) { ++s.tls_failures; });
        state_.logger.warn(log_component, "TLS handshake with " + peer_ + " failed: " + ec.message());
        close();
        return;
    }
    subject_ = verified_peer_subject(stream_.native_handle());
    read_head();  // still under the deadline started at accept
}

void AlarmSession::wait_for_request() {
    if (buffer_.size() > 0) {  // the client already sent (part of) its next request
        arm(state_.options.request_timeout, Phase::request);
        read_head();
        return;
    }
    arm(state_.options.idle_timeout, Phase::idle);
    stream_.async_read_some(buffer_.prepare(1024), [self = shared_from_this()](error_code ec, std::size_t n) {
        if (self->closed_) return;
        if (ec) {
            self->close();  // the client closed its keep-alive connection: normal
            return;
        }
        self->buffer_.commit(n);
        self->arm(self->state_.options.request_timeout, Phase::request);
        self->read_head();
    });
}

void AlarmSession::read_head() {
    phase_ = Phase::request;
    parser_.emplace();
    parser_->header_limit(max_head_bytes);
    // The head decides first (404/405/415 before 413). Not boost::none: Beast 1.74
    // compares Content-Length against the optional itself, and anything is > none.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](error_code ec, std::size_t) { self->on_head(ec); });
}

void AlarmSession::on_head(error_code ec) {
    if (closed_) return;
    if (ec) {
        if (is_disconnect(ec)) {
            state_.logger.debug(log_component, peer_ + " closed before a complete request head: " + ec.message());
            close();
            return;
        }
        state_.count([](auto& s) { ++s.requests; });
        reject(400, ec == http::error::header_limit ? "request head too large" : "malformed request head: " + ec.message(), true);
        return;
    }
    state_.count([](auto& s) { ++s.requests; });
    const auto& req = parser_->get();
    const auto length = parser_->content_length();
    head_ = check_alarm_request_head(
        AlarmRequestHead{sv(req.method_string()), sv(req.target()), sv(req[http::field::content_type]),
                         length ? std::optional<std::uint64_t>(*length) : std::nullopt},
        state_.rules);
    if (head_.status != 0) {
        // Refused before reading the body: the connection can only go on if there is none.
        reject(head_.status, head_.reason, !parser_->is_done());
        return;
    }
    parser_->body_limit(state_.options.max_body_bytes);  // now also bounds chunked bodies
    if (boost::beast::iequals(req[http::field::expect], "100-continue") && !parser_->is_done()) {
        // Only now, with the head accepted, is the client asked for its body.
        continue_ = {};
        continue_.version(req.version());
        continue_.result(http::status::continue_);
        http::async_write(stream_, continue_, [self = shared_from_this()](error_code wec, std::size_t) {
            if (self->closed_) return;
            if (wec) {
                self->close();
                return;
            }
            self->read_body();
        });
        return;
    }
    read_body();
}

void AlarmSession::read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, std::size_t) { self->on_body(ec); });
}

void AlarmSession::on_body(error_code ec) {
    if (closed_) return;
    if (ec == http::error::body_limit) {
        reject(413, "body larger than " + std::to_string(state_.options.max_body_bytes) + " bytes", true);
        return;
    }
    if (ec) {
        if (is_disconnect(ec)) {
            state_.logger.warn(log_component, peer_ + " went away in the middle of a request body: " + ec.message());
            close();
        } else {
            reject(400, "malformed body framing: " + ec.message(), true);
        }
        return;
    }
    deliver();
}

void AlarmSession::deliver() {
    auto decoded = decode_alarm_body(parser_->get().body(), head_, state_.rules);
    if (decoded.status != 0) {
        reject(decoded.status, decoded.reason, false);
        return;
    }
    parser_->get().body().clear();  // the delivery holds its own copy of what matters

    AlarmDelivery delivery;
    delivery.peer = peer_;
    delivery.client_subject = subject_;
    delivery.notification = std::move(decoded.notification);
    if (decoded.has_file) delivery.file = AlarmFile{std::move(decoded.filename), std::move(decoded.file_bytes)};

    // Synchronous by design: the meter gets its 200 only once the handler made the
    // notification durable. The deadline is parked meanwhile (nothing else runs here).
    ++generation_;
    deadline_.cancel();
    AlarmReply reply;
    try {
        reply = state_.handler.handle(delivery);
    } catch (const std::exception& e) {
        state_.logger.error(log_component, std::string("alarm handler failed: ") + e.what());
        reply = AlarmReply{500, "internal error"};
    }
    const auto& n = delivery.notification;
    if (reply.status == 200) {
        state_.count([](auto& s) { ++s.accepted; });
        state_.logger.info(log_component, "notification " + n.event_type + " from " +
                                              (n.device_id.empty() ? std::string("?") : n.device_id) + " (" + peer_ +
                                              ")" + (delivery.file ? " with file " + delivery.file->filename : ""));
    } else {
        state_.count([](auto& s) { ++s.handler_errors; });
        state_.logger.warn(log_component, "notification " + n.event_type + " from " + peer_ + " not stored: " +
                                              std::to_string(reply.status) + " " + reply.message);
    }
    send(reply.status, reply.message, false);
}

void AlarmSession::reject(int status, const std::string& reason, bool close_after) {
    state_.count([status](auto& s) {
        if (status == 400) ++s.rejected_malformed;
        else if (status == 413) ++s.rejected_too_large;
        else if (status == 415) ++s.rejected_media_type;
        else ++s.rejected_other;
    });
    state_.logger.warn(log_component, "rejected request from " + peer_ + ": " + std::to_string(status) + " " + reason);
    send(status, reason, close_after);
}

void AlarmSession::send(int status, const std::string& text, bool close_after) {
    const bool keep_alive = !close_after && parser_ && parser_->is_header_done() && parser_->get().keep_alive();
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(status));
    response_.set(http::field::server, "gridgate");
    response_.set(http::field::content_type, "text/plain; charset=utf-8");
    if (status == 405) response_.set(http::field::allow, "POST");
    response_.body() = text.empty() ? std::string(http::obsolete_reason(response_.result())) + "\n" : text + "\n";
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    arm(state_.options.request_timeout, Phase::writing);
    http::async_write(stream_, response_, [self = shared_from_this(), keep_alive](error_code ec, std::size_t) {
        if (self->closed_) return;
        if (ec) self->close();
        else if (keep_alive) self->wait_for_request();
        else self->finish();
    });
}

// Ends a connection after its last reply: FIN first, then whatever the client still
// sends (an unwanted body) is read and dropped until it closes too or drain_time passes.
void AlarmSession::finish() {
    arm(drain_time, Phase::closing);
    error_code ignored;
    stream_.next_layer().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    drain();
}

void AlarmSession::drain() {
    stream_.next_layer().async_read_some(net::buffer(discard_), [self = shared_from_this()](error_code ec, std::size_t) {
        if (self->closed_) return;
        if (ec) self->close();
        else self->drain();
    });
}

}  // namespace gridgate::notify::detail
