#include "gridgate/sim/dlms_hdlc_server.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace gridgate::sim {

namespace {

using dlms::FrameType;
using dlms::HdlcFrame;

// Sequence numbers count modulo 8.
constexpr std::uint8_t sequence_mask = 0x07;

// FRMR information field, third octet (ISO/IEC 13239, bits sent least significant
// first): W invalid control field, X information not permitted, Y information field too
// long, Z invalid N(R).
constexpr std::uint8_t frmr_too_long = 0x04;
constexpr std::uint8_t frmr_invalid_nr = 0x08;

dlms::HdlcAddress server_address(const DlmsHdlcOptions& o) {
    if (o.address_octets == 1) return {o.physical_id, 0, 1};
    return dlms::HdlcAddress::server(o.logical_device, o.physical_id, o.address_octets);
}

}  // namespace

DlmsHdlcServer::DlmsHdlcServer(DlmsHdlcOptions options, ApduHandler on_apdu, Disconnected on_disconnect)
    : options_(options),
      address_(server_address(options)),
      on_apdu_(std::move(on_apdu)),
      on_disconnect_(std::move(on_disconnect)) {
    static_cast<void>(dlms::encode_address(address_));  // throws when it does not fit
    const dlms::HdlcParameters& p = options_.parameters;
    if (p.max_info_tx == 0 || p.max_info_rx == 0 || p.window_tx == 0 || p.window_rx == 0)
        throw std::invalid_argument("HDLC parameters must not be 0");
    negotiated_ = p;
}

std::vector<HdlcFrame> DlmsHdlcServer::on_frame(const HdlcFrame& frame, SteadyTime now) {
    Out out;
    if (!addressed_to_me(frame)) return out;
    ++stats_.frames_rx;
    if (frame.source.octets != 1) {  // a client address is one octet; this is no client of ours
        ++stats_.ignored;
        return out;
    }
    const FrameType type = frame.control.type;
    const bool poll = frame.control.poll_final;
    if (type == FrameType::snrm) {
        on_snrm(frame, now, out);
        return out;
    }
    if (type == FrameType::disc) {
        on_disc(frame, out);
        return out;
    }
    const bool command = type == FrameType::i || type == FrameType::rr || type == FrameType::rnr;
    if (!command) {  // UI, or a response type no client sends
        ++stats_.ignored;
        return out;
    }
    // Not connected, or connected to another client: "disconnected mode" to this one.
    if (!connected_ || frame.source.upper != client_sap_) {
        if (poll) {
            HdlcFrame dm = frame_to_client(FrameType::dm, true);
            dm.destination = frame.source;
            ++stats_.dm_sent;
            send(std::move(dm), out);
        }
        return out;
    }
    last_activity_ = now;
    if (frmr_info_) {  // the frame reject condition lasts until SNRM or DISC
        if (poll) {
            HdlcFrame frmr = frame_to_client(FrameType::frmr, true);
            frmr.info = *frmr_info_;
            ++stats_.frmr_sent;
            send(std::move(frmr), out);
        }
        return out;
    }
    if (type == FrameType::i) on_i(frame, out);
    else on_rr(frame, out);
    return out;
}

void DlmsHdlcServer::on_snrm(const HdlcFrame& frame, SteadyTime now, Out& out) {
    const auto proposal = dlms::decode_parameters(frame.info);
    const bool usable = proposal && proposal->max_info_tx != 0 && proposal->max_info_rx != 0 &&
                        proposal->window_tx != 0 && proposal->window_rx != 0;
    if (!usable) {  // parameters we cannot read: no connection
        HdlcFrame dm = frame_to_client(FrameType::dm, frame.control.poll_final);
        dm.destination = frame.source;
        ++stats_.dm_sent;
        send(std::move(dm), out);
        return;
    }
    if (connected_) end_connection();  // SNRM in NRM starts the connection afresh
    const dlms::HdlcParameters& own = options_.parameters;
    // Each side sends no more than the other accepts: the client's receive limits bound
    // what we transmit and the other way round.
    negotiated_.max_info_tx = std::min(own.max_info_tx, proposal->max_info_rx);
    negotiated_.max_info_rx = std::min(own.max_info_rx, proposal->max_info_tx);
    negotiated_.window_tx = std::min(own.window_tx, proposal->window_rx);
    negotiated_.window_rx = std::min(own.window_rx, proposal->window_tx);
    connected_ = true;
    client_sap_ = static_cast<std::uint8_t>(frame.source.upper);
    vs_ = 0;
    vr_ = 0;
    client_busy_ = false;
    unacked_.clear();
    pending_.clear();
    request_.clear();
    request_dropped_ = false;
    frmr_info_.reset();
    last_activity_ = now;
    ++stats_.connects;
    HdlcFrame ua = frame_to_client(FrameType::ua, frame.control.poll_final);
    ua.info = dlms::encode_parameters(negotiated_);
    send(std::move(ua), out);
}

void DlmsHdlcServer::on_disc(const HdlcFrame& frame, Out& out) {
    const bool ours = connected_ && frame.source.upper == client_sap_;
    HdlcFrame reply = frame_to_client(ours ? FrameType::ua : FrameType::dm, frame.control.poll_final);
    reply.destination = frame.source;
    if (ours) {
        end_connection();
        ++stats_.disconnects;
    } else {
        ++stats_.dm_sent;
    }
    send(std::move(reply), out);
}

void DlmsHdlcServer::on_i(const HdlcFrame& frame, Out& out) {
    ++stats_.i_frames_rx;
    if (!acknowledge(frame.control.nr)) {
        ++stats_.sequence_errors;
        reject(frame, frmr_invalid_nr, out);
        return;
    }
    const std::uint8_t ns = frame.control.ns;
    if (ns == vr_) {
        if (frame.info.size() > negotiated_.max_info_rx) {
            reject(frame, frmr_too_long, out);
            return;
        }
        vr_ = static_cast<std::uint8_t>((vr_ + 1) & sequence_mask);
        client_busy_ = false;
        take_segment(frame);
    } else if (ns == ((vr_ - 1) & sequence_mask)) {
        // The client sent its last I-frame again: it did not get what we answered. Its
        // data is not taken twice; its N(R) says what to send again.
        ++stats_.repeated_i_frames;
    } else {
        ++stats_.sequence_errors;  // a lost frame: our RR's N(R) tells the client where to resume
    }
    respond(frame.control.poll_final, out);
}

void DlmsHdlcServer::on_rr(const HdlcFrame& frame, Out& out) {
    if (!acknowledge(frame.control.nr)) {
        ++stats_.sequence_errors;
        reject(frame, frmr_invalid_nr, out);
        return;
    }
    client_busy_ = frame.control.type == FrameType::rnr;
    respond(frame.control.poll_final, out);
}

// N(R) acknowledges our I-frames up to N(R) - 1. Valid values run from the oldest frame
// not yet acknowledged to V(S).
bool DlmsHdlcServer::acknowledge(std::uint8_t nr) {
    const std::uint8_t base = unacked_.empty() ? vs_ : unacked_.front().ns;
    const std::size_t acked = static_cast<std::uint8_t>((nr - base) & sequence_mask);
    if (acked > unacked_.size()) return false;
    for (std::size_t i = 0; i < acked; ++i) unacked_.pop_front();
    return true;
}

void DlmsHdlcServer::take_segment(const HdlcFrame& frame) {
    if (frame.segmented) ++stats_.segments_rx;
    if (!request_dropped_ && request_.size() + frame.info.size() > options_.max_request) {
        request_dropped_ = true;
        request_.clear();
        ++stats_.oversized;
    }
    if (!request_dropped_) request_.insert(request_.end(), frame.info.begin(), frame.info.end());
    if (frame.segmented) return;
    if (request_dropped_) request_dropped_ = false;
    else deliver_request();
    request_.clear();
}

void DlmsHdlcServer::deliver_request() {
    // A new request abandons whatever was left of the previous answer.
    unacked_.clear();
    pending_.clear();
    const std::span<const std::uint8_t> llc(dlms::llc_request);
    if (request_.size() < llc.size() || !std::equal(llc.begin(), llc.end(), request_.begin())) {
        ++stats_.llc_errors;
        return;
    }
    ++stats_.apdus_rx;
    const std::span<const std::uint8_t> apdu(request_.data() + llc.size(), request_.size() - llc.size());
    const std::vector<std::uint8_t> response = on_apdu_ ? on_apdu_(client_sap_, apdu) : std::vector<std::uint8_t>{};
    if (response.empty()) return;  // the server does not answer: the poll gets an RR
    ++stats_.apdus_tx;
    std::vector<std::uint8_t> message(std::begin(dlms::llc_response), std::end(dlms::llc_response));
    message.insert(message.end(), response.begin(), response.end());
    const std::size_t size = negotiated_.max_info_tx;
    for (std::size_t offset = 0; offset < message.size(); offset += size) {
        const std::size_t n = std::min(size, message.size() - offset);
        Segment segment;
        segment.more = offset + n < message.size();
        segment.info.assign(message.begin() + static_cast<std::ptrdiff_t>(offset),
                            message.begin() + static_cast<std::ptrdiff_t>(offset + n));
        pending_.push_back(std::move(segment));
    }
}

// The answer to a poll: what the client has not acknowledged again, then new segments up
// to the window (the last one sent with F), or an RR when there is nothing to send.
void DlmsHdlcServer::respond(bool poll, Out& out) {
    if (!poll) return;  // a secondary speaks only when polled
    if (client_busy_ || (unacked_.empty() && pending_.empty())) {
        HdlcFrame rr = frame_to_client(FrameType::rr, true);
        rr.control.nr = vr_;
        send(std::move(rr), out);
        return;
    }
    const std::size_t window = negotiated_.window_tx;
    const std::size_t room = unacked_.size() >= window ? 0 : window - unacked_.size();
    const std::size_t fresh = std::min(room, pending_.size());
    const std::size_t total = unacked_.size() + fresh;
    std::size_t sent = 0;
    for (const Segment& s : unacked_) {
        ++stats_.retransmissions;
        send_i(s, ++sent == total, out);
    }
    for (std::size_t i = 0; i < fresh; ++i) {
        Segment s = std::move(pending_.front());
        pending_.pop_front();
        s.ns = vs_;
        vs_ = static_cast<std::uint8_t>((vs_ + 1) & sequence_mask);
        send_i(s, ++sent == total, out);
        unacked_.push_back(std::move(s));
    }
}

void DlmsHdlcServer::reject(const HdlcFrame& frame, std::uint8_t reason, Out& out) {
    frmr_info_ = std::vector<std::uint8_t>{frame.control.encode(),
                                           static_cast<std::uint8_t>(vr_ << 5 | vs_ << 1), reason};
    HdlcFrame frmr = frame_to_client(FrameType::frmr, frame.control.poll_final);
    frmr.info = *frmr_info_;
    ++stats_.frmr_sent;
    send(std::move(frmr), out);
}

void DlmsHdlcServer::on_timer(SteadyTime now) {
    const auto deadline = next_deadline();
    if (!deadline || now < *deadline) return;
    ++stats_.inactivity_timeouts;
    end_connection();
}

std::optional<SteadyTime> DlmsHdlcServer::next_deadline() const {
    if (!connected_ || options_.inactivity_timeout <= Duration::zero()) return std::nullopt;
    return last_activity_ + options_.inactivity_timeout;
}

void DlmsHdlcServer::disconnect() {
    if (connected_) end_connection();
}

void DlmsHdlcServer::end_connection() {
    connected_ = false;
    unacked_.clear();
    pending_.clear();
    request_.clear();
    request_dropped_ = false;
    frmr_info_.reset();
    negotiated_ = options_.parameters;
    if (on_disconnect_) on_disconnect_();
}

HdlcFrame DlmsHdlcServer::frame_to_client(FrameType type, bool final_bit) const {
    HdlcFrame f;
    f.destination = dlms::HdlcAddress::client(client_sap_);
    f.source = address_;
    f.control.type = type;
    f.control.poll_final = final_bit;
    return f;
}

void DlmsHdlcServer::send_i(const Segment& segment, bool final_bit, Out& out) {
    HdlcFrame f = frame_to_client(FrameType::i, final_bit);
    f.control.ns = segment.ns;
    f.control.nr = vr_;
    f.segmented = segment.more;
    f.info = segment.info;
    if (segment.more) ++stats_.segments_tx;
    send(std::move(f), out);
}

void DlmsHdlcServer::send(HdlcFrame frame, Out& out) {
    ++stats_.frames_tx;
    out.push_back(std::move(frame));
}

}  // namespace gridgate::sim
