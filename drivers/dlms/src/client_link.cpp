// LinkBase: what both client links do with the lease's channel. One transmission at a
// time (the channel allows no more), one read, the response and inter-frame timers, hex
// traces with the password blanked.
#include <algorithm>
#include <cstring>

#include "client_link.hpp"

namespace gridgate::dlms::detail {

const char* to_string(LinkStatus s) {
    switch (s) {
        case LinkStatus::ok: return "ok";
        case LinkStatus::timeout: return "timeout";
        case LinkStatus::io_error: return "io_error";
        case LinkStatus::disconnected: return "disconnected";
        case LinkStatus::protocol_error: return "protocol_error";
    }
    return "unknown";
}

LinkBase::LinkBase(LinkEnv env)
    : env_(std::move(env)), response_timer_(env_.executor), silence_timer_(env_.executor) {}

void LinkBase::begin(transport::ByteChannel& channel, LinkHandler handler) {
    ++gen_;
    channel_ = &channel;
    handler_ = std::move(handler);
    sent_us_ = 0;
}

void LinkBase::abort() {
    ++gen_;
    ++timer_id_;
    ++silence_id_;
    response_timer_.cancel();
    silence_timer_.cancel();
    channel_ = nullptr;
    handler_ = nullptr;
    tx_queue_.clear();
    want_read_ = false;
}

void LinkBase::complete(LinkResult result) {
    if (!channel_) return;
    auto handler = std::move(handler_);
    abort();
    if (handler) handler(std::move(result));
}

void LinkBase::fail(LinkStatus status, std::string error) {
    LinkResult r;
    r.status = status;
    r.error = std::move(error);
    complete(std::move(r));
}

// ------------------------------------------------------------------ transmissions

void LinkBase::send(std::vector<std::uint8_t> bytes, TraceMask mask, std::function<void()> started,
                    std::function<void()> sent) {
    if (!channel_) return;
    if (tracing()) {
        // The trace shows the frame as sent, except the octets the mask covers.
        std::vector<std::uint8_t> shown = bytes;
        for (std::size_t i = mask.begin; i < mask.end && i < shown.size(); ++i) shown[i] = 0x2A;  // '*'
        env_.logger.trace_frame(env_.options.id, "tx", std::as_bytes(std::span<const std::uint8_t>(shown)));
    }
    auto out = std::make_shared<std::vector<std::byte>>(bytes.size());
    if (!bytes.empty()) std::memcpy(out->data(), bytes.data(), bytes.size());
    tx_queue_.push_back(Outgoing{std::move(out), std::move(started), std::move(sent)});
    if (!transmitting_) transmit_next();
}

void LinkBase::transmit_next() {
    if (tx_queue_.empty() || !channel_) return;
    transmitting_ = true;
    Outgoing out = std::move(tx_queue_.front());
    tx_queue_.pop_front();
    count([](ClientStats& s) { ++s.frames_sent; });
    const std::uint64_t g = gen_;
    auto self = shared_from_this();
    channel_->async_transmit(
        *out.bytes,
        [self, g, started = std::move(out.started)] {
            if (g == self->gen_ && started) started();
        },
        [self, g, bytes = out.bytes, sent = std::move(out.sent)](const boost::system::error_code& ec) {
            self->transmitting_ = false;
            if (g != self->gen_) return;
            if (ec) return self->fail(LinkStatus::io_error, "line write failed: " + ec.message());
            if (sent) sent();
            if (g == self->gen_ && !self->transmitting_) self->transmit_next();
        });
}

// ------------------------------------------------------------------ reception

void LinkBase::keep_reading() {
    if (!channel_) return;
    if (reads_outstanding_ > 0) {
        // A read of an earlier exchange is still being ended by the line: read after it.
        want_read_ = true;
        return;
    }
    start_read();
}

void LinkBase::start_read() {
    want_read_ = false;
    ++reads_outstanding_;
    channel_->async_read_some(rx_, [self = shared_from_this(), g = gen_](const boost::system::error_code& ec,
                                                                         std::size_t n) { self->on_read(g, ec, n); });
}

void LinkBase::on_read(std::uint64_t g, const boost::system::error_code& ec, std::size_t n) {
    --reads_outstanding_;
    if (g != gen_ || !channel_) {
        if (want_read_ && channel_) start_read();
        return;
    }
    if (ec) return fail(LinkStatus::io_error, "line read failed: " + ec.message());
    on_bytes(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(rx_.data()), n));
    if (g == gen_ && channel_ && reads_outstanding_ == 0) start_read();
}

// ------------------------------------------------------------------ timers

void LinkBase::arm_response_timer(Duration d) {
    const std::uint64_t id = ++timer_id_;
    response_timer_.expires_after(d);
    response_timer_.async_wait([self = shared_from_this(), id, g = gen_](const boost::system::error_code& ec) {
        if (ec || g != self->gen_ || id != self->timer_id_ || !self->channel_) return;
        self->on_response_timeout();
    });
}

void LinkBase::cancel_response_timer() {
    ++timer_id_;
    response_timer_.cancel();
}

void LinkBase::arm_silence_timer(Duration d) {
    const std::uint64_t id = ++silence_id_;
    silence_timer_.expires_after(d);
    silence_timer_.async_wait([self = shared_from_this(), id, g = gen_](const boost::system::error_code& ec) {
        if (ec || g != self->gen_ || id != self->silence_id_ || !self->channel_) return;
        self->on_silence();
    });
}

}  // namespace gridgate::dlms::detail
