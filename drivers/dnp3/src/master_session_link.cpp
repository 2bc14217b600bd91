// MasterSession: one transaction on the line. Link layer (FCB, confirmed user data with
// retries, answers to the outstation's link frames), transport segmentation and
// reassembly, application sequence numbers and the timers, for the tasks in
// master_session_tasks.cpp.
#include <cstring>

#include "gridgate/dnp3/app.hpp"
#include "master_session_impl.hpp"

namespace gridgate::dnp3::detail {

namespace {

std::span<const std::byte> as_bytes(const std::vector<std::uint8_t>& v) {
    return std::as_bytes(std::span<const std::uint8_t>(v));
}

}  // namespace

std::uint8_t Impl::next_seq() {
    const std::uint8_t seq = app_seq;
    app_seq = static_cast<std::uint8_t>((app_seq + 1) & 0x0f);
    return seq;
}

AppControl Impl::request_control(std::uint8_t seq) const {
    AppControl c;
    c.fir = true;
    c.fin = true;
    c.con = false;
    c.uns = false;
    c.seq = seq;
    return c;
}

void Impl::begin(Task task, std::unique_ptr<transport::LineLease> l) {
    ++gen;
    current = task;
    lease = std::move(l);
    channel = &lease->channel();
    // Whatever was half received belongs to an earlier transaction.
    parser.reset();
    reassembler.reset();
    poll_events = 0;
    update_stats([](SessionStats& s) { ++s.transactions; });
    if (logger.trace_enabled(options.id)) logger.info("dnp3-app", options.id + ": task " + task_name(task));
    run_task();
}

void Impl::trace_app(const char* direction, const std::vector<std::uint8_t>& fragment) {
    if (!logger.trace_enabled(options.id)) return;
    logger.info("dnp3-app", options.id + " " + direction + " " + describe_fragment(fragment));
}

// ------------------------------------------------------------------ waits

void Impl::arm_wait(Duration d, std::function<void()> on_expiry) {
    const std::uint64_t id = ++wait_id;
    wait_expiry = std::move(on_expiry);
    txn_timer.expires_after(d);
    txn_timer.async_wait([self = shared_from_this(), id, g = gen](const boost::system::error_code& ec) {
        if (ec || self->abandoned || g != self->gen || id != self->wait_id) return;
        auto expiry = std::move(self->wait_expiry);
        self->wait_expiry = nullptr;
        if (expiry) expiry();
    });
}

void Impl::cancel_wait() {
    ++wait_id;
    wait_expiry = nullptr;
    txn_timer.cancel();
}

// ------------------------------------------------------------------ application layer

void Impl::request(std::vector<std::uint8_t> fragment, std::uint8_t seq, ResponseHandler handler) {
    awaiting_response = true;
    expected_seq = seq;
    on_response = std::move(handler);
    request_sent_us = clock.now_utc_us();
    send_fragment(
        std::move(fragment), [this] { request_sent_us = clock.now_utc_us(); },
        [this] {
            // The response timeout runs from the end of the request (after its link ACKs).
            if (awaiting_response && !awaiting_done)
                arm_wait(options.response_timeout, [this] { fail("no response", true); });
        });
    ensure_reading();
}

void Impl::await_fragment(std::uint8_t seq, ResponseHandler handler) {
    awaiting_response = true;
    expected_seq = seq;
    on_response = std::move(handler);
    arm_wait(options.response_timeout, [this] { fail("no response fragment", true); });
    ensure_reading();
}

void Impl::on_fragment(const std::vector<std::uint8_t>& fragment) {
    trace_app("rx", fragment);
    auto parsed = parse_response(fragment);
    if (const auto* error = std::get_if<ParseError>(&parsed)) {
        update_stats([](SessionStats& s) { ++s.parse_errors; });
        logger.warn("dnp3", options.id + ": unparseable fragment: " + error->message);
        if (awaiting_response) fail("unparseable response: " + error->message);
        return;
    }
    Response& r = std::get<Response>(parsed);
    if (r.function == FunctionCode::unsolicited_response || r.control.uns) {
        // Unsolicited reporting is never enabled by this master; not confirmed.
        update_stats([](SessionStats& s) { ++s.dropped_fragments; });
        logger.debug("dnp3", options.id + ": unsolicited response ignored");
        return;
    }
    if (!awaiting_response || r.control.seq != expected_seq) {
        // A late answer to an earlier request, or a repeat: never taken for this one.
        update_stats([](SessionStats& s) { ++s.dropped_fragments; });
        logger.debug("dnp3", options.id + ": response seq " + std::to_string(r.control.seq) + " dropped (expected " +
                                 (awaiting_response ? std::to_string(expected_seq) : std::string("none")) + ")");
        return;
    }
    awaiting_response = false;
    cancel_wait();
    response_received_us = clock.now_utc_us();
    update_stats([](SessionStats& s) { ++s.fragments; });
    handle_iin(r.iin);
    auto handler = std::move(on_response);
    on_response = nullptr;
    handler(std::move(r));
}

// ------------------------------------------------------------------ transport layer

void Impl::send_fragment(std::vector<std::uint8_t> fragment, std::function<void()> started,
                         std::function<void()> sent) {
    trace_app("tx", fragment);
    LinkSend s;
    for (auto& segment : segment_fragment(fragment, transport_seq)) s.segments.push_back(std::move(segment));
    s.started = std::move(started);
    s.sent = std::move(sent);
    s.id = ++link_send_id;
    link_send = std::move(s);
    link_step();
}

void Impl::push_segment(const std::vector<std::uint8_t>& segment) {
    const auto result = reassembler.push(segment);
    if (result == Reassembler::Result::complete) on_fragment(reassembler.take());
}

void Impl::sync_layer_stats() {
    const auto& ls = parser.stats();
    const auto& ts = reassembler.stats();
    update_stats([&](SessionStats& s) {
        s.link_crc_errors = ls.header_crc_errors + ls.body_crc_errors;
        s.discarded_segments = ts.discarded_segments;
    });
}

// ------------------------------------------------------------------ link layer: sending

void Impl::link_step() {
    if (!link_send) return;
    LinkSend& s = *link_send;
    if (s.segments.empty()) {
        auto sent = std::move(s.sent);
        link_send.reset();
        if (sent) sent();
        return;
    }
    if (!options.confirmed_user_data) {
        const auto header = primary_header(PrimaryFunction::unconfirmed_user_data, options.address,
                                           options.master_address, true);
        auto started = s.first ? s.started : std::function<void()>{};
        transmit(encode_link_frame(header, s.segments.front()), std::move(started), [this, id = s.id] {
            if (!link_send || link_send->id != id) return;
            link_send->segments.pop_front();
            link_send->first = false;
            link_step();
        });
        return;
    }
    // Confirmed user data: each frame waits for its ACK; a link not reset since the last
    // failure (or ever) is reset first, after which the first frame carries FCB = 1.
    if (s.attempts > options.link_retries) {
        link_reset_done = false;
        return fail("no link-layer ACK after " + std::to_string(s.attempts) + " attempts", true);
    }
    if (s.attempts > 0) update_stats([](SessionStats& st) { ++st.link_retries; });
    ++s.attempts;
    if (!link_reset_done) {
        link_wait = LinkWait::reset_ack;
        update_stats([](SessionStats& st) { ++st.link_resets; });
        const auto header =
            primary_header(PrimaryFunction::reset_link_states, options.address, options.master_address, true);
        transmit(encode_link_frame(header, {}), {}, {});
    } else {
        link_wait = LinkWait::data_ack;
        const auto header = primary_header(PrimaryFunction::confirmed_user_data, options.address,
                                           options.master_address, true, tx_fcb, true);
        auto started = s.first ? s.started : std::function<void()>{};
        transmit(encode_link_frame(header, s.segments.front()), std::move(started), {});
    }
    arm_wait(options.link_timeout, [this] { link_wait_expired(); });
    ensure_reading();
}

void Impl::link_wait_expired() {
    link_wait = LinkWait::none;
    link_step();  // the same frame again (same FCB), or the failure once the retries are used
}

void Impl::handle_secondary(const LinkHeader& h) {
    if (link_wait == LinkWait::none || !link_send) return;  // a late ACK: its frame was given up
    switch (static_cast<SecondaryFunction>(h.function)) {
        case SecondaryFunction::ack:
            cancel_wait();
            if (link_wait == LinkWait::reset_ack) {
                link_reset_done = true;
                tx_fcb = true;
            } else {
                tx_fcb = !tx_fcb;
                link_send->segments.pop_front();
                link_send->first = false;
            }
            link_send->attempts = 0;
            link_wait = LinkWait::none;
            return link_step();
        case SecondaryFunction::nack:
            // The outstation lost the link state (or the FCB): reset, then send again.
            cancel_wait();
            link_wait = LinkWait::none;
            link_reset_done = false;
            return link_step();
        case SecondaryFunction::not_supported:
            link_reset_done = false;
            return fail("outstation does not support confirmed user data");
        case SecondaryFunction::link_status: return;
    }
}

void Impl::send_secondary(SecondaryFunction f) {
    const auto header = secondary_header(f, options.address, options.master_address, true);
    transmit(encode_link_frame(header, {}), {}, {});
}

// ------------------------------------------------------------------ link layer: receiving

void Impl::handle_frame(const LinkFrame& frame) {
    const LinkHeader& h = frame.header;
    if (logger.trace_enabled(options.id)) {
        const auto bytes = encode_link_frame(h, frame.user_data);
        logger.trace_frame(options.id, "dnp3-link rx " + describe(h, frame.user_data.size()), as_bytes(bytes));
    }
    // DIR set: sent by a master (our own echo on a 2-wire bus, or another master).
    if (h.dir || h.destination != options.master_address || h.source != options.address) {
        update_stats([](SessionStats& s) { ++s.foreign_frames; });
        return;
    }
    if (!h.prm) return handle_secondary(h);
    switch (static_cast<PrimaryFunction>(h.function)) {
        case PrimaryFunction::reset_link_states:
            rx_fcb_expected = true;
            return send_secondary(SecondaryFunction::ack);
        case PrimaryFunction::test_link_states: return send_secondary(SecondaryFunction::ack);
        case PrimaryFunction::request_link_status: return send_secondary(SecondaryFunction::link_status);
        case PrimaryFunction::confirmed_user_data: {
            // ACKed either way; a repeat (its FCB is not the one expected: our ACK was lost)
            // is not taken twice.
            const bool repeat = h.fcv && rx_fcb_expected && h.fcb != *rx_fcb_expected;
            send_secondary(SecondaryFunction::ack);
            if (repeat) return;
            if (h.fcv) rx_fcb_expected = !h.fcb;
            return push_segment(frame.user_data);
        }
        case PrimaryFunction::unconfirmed_user_data: return push_segment(frame.user_data);
    }
    send_secondary(SecondaryFunction::not_supported);
}

void Impl::ensure_reading() {
    if (read_pending || !channel || (link_wait == LinkWait::none && !awaiting_response)) return;
    read_pending = true;
    channel->async_read_some(rx, [self = shared_from_this(), g = gen](const boost::system::error_code& ec,
                                                                      std::size_t n) { self->on_read(g, ec, n); });
}

void Impl::on_read(std::uint64_t g, const boost::system::error_code& ec, std::size_t n) {
    if (abandoned || g != gen) return;  // a read the line aborted when an earlier lease ended
    read_pending = false;
    if (ec) return fail("line read failed: " + ec.message(), false, true);
    std::vector<LinkFrame> frames;
    parser.feed(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(rx.data()), n), frames);
    for (const auto& frame : frames) {
        handle_frame(frame);
        if (g != gen) break;  // the transaction ended on this frame
    }
    sync_layer_stats();
    if (g == gen) ensure_reading();
}

// ------------------------------------------------------------------ the channel

void Impl::transmit(std::vector<std::uint8_t> frame, std::function<void()> started, std::function<void()> sent) {
    auto bytes = std::make_shared<std::vector<std::byte>>(frame.size());
    std::memcpy(bytes->data(), frame.data(), frame.size());
    tx_queue.push_back(Outgoing{std::move(bytes), std::move(started), std::move(sent)});
    if (!transmitting) transmit_next();
}

void Impl::transmit_next() {
    if (tx_queue.empty()) {
        transmitting = false;
        if (deferred_finish) {
            auto [outcome, error] = std::move(*deferred_finish);
            deferred_finish.reset();
            finish(outcome, error);
        }
        return;
    }
    transmitting = true;
    Outgoing out = std::move(tx_queue.front());
    tx_queue.pop_front();
    if (logger.trace_enabled(options.id)) {
        const auto parsed = parse_link_frame(std::span<const std::uint8_t>(
            reinterpret_cast<const std::uint8_t*>(out.bytes->data()), out.bytes->size()));
        const std::string what = parsed ? describe(parsed->header, parsed->user_data.size()) : std::string("?");
        logger.trace_frame(options.id, "dnp3-link tx " + what, *out.bytes);
    }
    const std::uint64_t g = gen;
    auto sent = std::move(out.sent);
    channel->async_transmit(
        *out.bytes,
        [self = shared_from_this(), g, started = std::move(out.started)] {
            if (g == self->gen && !self->abandoned && started) started();
        },
        [self = shared_from_this(), g, bytes = out.bytes, sent = std::move(sent)](const boost::system::error_code& ec) {
            if (self->abandoned || g != self->gen) return;
            self->transmitting = false;
            if (ec) return self->fail("line write failed: " + ec.message(), false, true);
            if (sent) sent();
            if (g == self->gen && !self->transmitting) self->transmit_next();
        });
}

// ------------------------------------------------------------------ the end of a transaction

void Impl::fail(const std::string& why, bool timeout, bool line_failed) {
    finish(Outcome::failed, why, timeout, line_failed);
}

void Impl::finish(Outcome outcome, const std::string& error, bool timeout, bool line_failed) {
    if (!current) return;
    // A success ends once its last frames (an ACK, a confirm) are out on the line.
    if (outcome != Outcome::failed && (transmitting || !tx_queue.empty())) {
        deferred_finish.emplace(outcome, error);
        return;
    }
    const bool close = line_failed || (!options.line_cancels_pending_read && (read_pending || transmitting));
    ++gen;
    cancel_wait();
    read_pending = false;
    transmitting = false;
    tx_queue.clear();
    link_send.reset();
    link_wait = LinkWait::none;
    awaiting_response = false;
    on_response = nullptr;
    awaiting_done = false;
    deferred_finish.reset();
    channel = nullptr;
    if (outcome == Outcome::failed && options.confirmed_user_data) link_reset_done = false;
    if (auto l = std::move(lease)) l->release(close);

    if (outcome == Outcome::failed) abort_decided_set(error);
    const Task task = *current;
    current.reset();
    complete_task(task, outcome, error, timeout);
    if (stopping) return finish_stop_if_idle();
    pump();
}

}  // namespace gridgate::dnp3::detail
