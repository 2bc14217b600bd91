// The fake meter's data link: an HDLC secondary station (SNRM/UA, I-frames, segments in
// both directions with RR, repeats of a lost answer) or a TCP wrapper endpoint.
#include <algorithm>

#include "fake_meter.hpp"

namespace gridgate::dlms::testing {

namespace {

std::uint8_t next(std::uint8_t n) { return static_cast<std::uint8_t>((n + 1) & 7); }

}  // namespace

FakeMeter::FakeMeter(transport::MemoryChannel& channel, FakeClock& clock, bool is_hdlc)
    : hdlc(is_hdlc), channel_(channel), clock_(clock) {
    channel_.on_transmit([this](std::span<const std::byte> bytes) { on_bytes(bytes); });
}

std::size_t FakeMeter::count(const std::string& prefix) const {
    return static_cast<std::size_t>(std::count_if(journal.begin(), journal.end(), [&](const std::string& s) {
        return s.rfind(prefix, 0) == 0;
    }));
}

void FakeMeter::connection_closed() {
    associated_ = false;
    blocks_.clear();
    wrapper_parser_.reset();
}

void FakeMeter::on_bytes(std::span<const std::byte> bytes) {
    const std::span<const std::uint8_t> octets(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    if (hdlc) {
        for (const auto& f : parser_.feed(octets)) on_frame(f);
    } else {
        for (const auto& pdu : wrapper_parser_.feed(octets)) on_pdu(pdu);
    }
}

void FakeMeter::deliver_answer(const std::vector<std::uint8_t>& bytes) {
    if (before_answer) before_answer();
    if (lose_answers > 0) {
        --lose_answers;
        return;
    }
    if (answer_delay.count() > 0) clock_.advance(answer_delay);
    channel_.deliver(std::as_bytes(std::span<const std::uint8_t>(bytes)));
}

void FakeMeter::send_foreign_frame() {
    if (hdlc) {
        HdlcFrame f;
        f.destination = client_.octets == 0 ? HdlcAddress::client(16) : client_;
        f.source = HdlcAddress::server(1, 55, 4);  // another meter on the bus
        f.control = HdlcControl{FrameType::ua, 0, 0, true};
        const auto bytes = encode_frame(f);
        channel_.deliver(std::as_bytes(std::span<const std::uint8_t>(bytes)));
    } else {
        const std::vector<std::uint8_t> apdu{0xC4, 0x01, 0xC1, 0x00, 0x11, 0x05};
        const auto bytes = encode_wrapper(static_cast<std::uint16_t>(wport + 1), tcp_client_, apdu);
        channel_.deliver(std::as_bytes(std::span<const std::uint8_t>(bytes)));
    }
}

// ------------------------------------------------------------------ HDLC

HdlcFrame FakeMeter::frame_to_client(HdlcControl control) const {
    HdlcFrame f;
    f.destination = client_;
    f.source = address;
    f.control = control;
    return f;
}

void FakeMeter::send_frame(HdlcFrame f, bool remember) {
    if (remember) last_sent_ = f;
    deliver_answer(encode_frame(f));
}

void FakeMeter::on_frame(const HdlcFrame& f) {
    if (f.destination != address) return;  // for another station on the bus
    if (ignore_frames > 0) {
        --ignore_frames;
        return;
    }
    frames_in.push_back(f);
    switch (f.control.type) {
        case FrameType::snrm: {
            journal.push_back("SNRM");
            client_ = f.source;
            if (refuse_connection) return send_frame(frame_to_client(HdlcControl{FrameType::dm, 0, 0, true}), false);
            const HdlcParameters proposal = decode_parameters(f.info).value_or(HdlcParameters{});
            send_max_ = std::min(params.max_info_tx, proposal.max_info_rx);
            connected_ = true;
            associated_ = false;
            vs_ = 0;
            vr_ = 0;
            rx_.clear();
            tx_segments_.clear();
            HdlcFrame ua = frame_to_client(HdlcControl{FrameType::ua, 0, 0, true});
            ua.info = encode_parameters(params);
            return send_frame(ua, false);
        }
        case FrameType::disc: {
            journal.push_back("DISC");
            const bool was = connected_;
            connected_ = false;
            associated_ = false;
            return send_frame(frame_to_client(HdlcControl{was ? FrameType::ua : FrameType::dm, 0, 0, true}), false);
        }
        case FrameType::i: return on_i_frame(f);
        case FrameType::rr:
        case FrameType::rnr: return on_rr(f);
        default: return;
    }
}

void FakeMeter::on_i_frame(const HdlcFrame& f) {
    if (!connected_) return send_frame(frame_to_client(HdlcControl{FrameType::dm, 0, 0, true}), false);
    if (f.info.size() > params.max_info_rx) ++oversized_frames;
    if (f.control.ns != vr_) {
        // The client sent its frame again: our answer to it was lost.
        if (next(f.control.ns) == vr_ && last_sent_) send_frame(*last_sent_);
        return;
    }
    vr_ = next(vr_);
    vs_ = f.control.nr;  // it acknowledges our frames before this
    rx_.insert(rx_.end(), f.info.begin(), f.info.end());
    if (f.segmented) return send_frame(frame_to_client(HdlcControl{FrameType::rr, 0, vr_, true}));
    std::vector<std::uint8_t> request = std::move(rx_);
    rx_.clear();
    if (request.size() < 3 || !std::equal(std::begin(llc_request), std::end(llc_request), request.begin())) {
        ++llc_errors;
        return;
    }
    request.erase(request.begin(), request.begin() + 3);
    if (busy_answers > 0) {
        --busy_answers;
        busy_request_ = std::move(request);
        return send_frame(frame_to_client(HdlcControl{FrameType::rnr, 0, vr_, true}));
    }
    answer_apdu(request);
}

void FakeMeter::on_rr(const HdlcFrame& f) {
    if (f.control.type == FrameType::rr) ++rrs;
    if (busy_request_) {
        auto request = std::move(*busy_request_);
        busy_request_.reset();
        return answer_apdu(request);
    }
    if (f.control.nr == next(vs_)) {
        vs_ = f.control.nr;
        if (!tx_segments_.empty()) send_next_segment();
        return;
    }
    if (last_sent_) send_frame(*last_sent_);  // the client missed our last frame
}

void FakeMeter::send_next_segment() {
    HdlcFrame f = frame_to_client(HdlcControl{FrameType::i, vs_, vr_, true});
    f.info = std::move(tx_segments_.front());
    tx_segments_.pop_front();
    f.segmented = !tx_segments_.empty();
    send_frame(f);
}

void FakeMeter::answer_apdu(const std::vector<std::uint8_t>& apdu) {
    apdus_in.push_back(apdu);
    const auto response = process(apdu);
    if (response.empty()) return;
    if (!hdlc) return deliver_answer(encode_wrapper(wport, tcp_client_, response));
    std::vector<std::uint8_t> info(std::begin(llc_response), std::end(llc_response));
    info.insert(info.end(), response.begin(), response.end());
    tx_segments_.clear();
    const std::size_t max = std::max<std::size_t>(send_max_, 16);
    for (std::size_t at = 0; at < info.size(); at += max)
        tx_segments_.emplace_back(info.begin() + static_cast<std::ptrdiff_t>(at),
                                  info.begin() + static_cast<std::ptrdiff_t>(std::min(info.size(), at + max)));
    send_next_segment();
}

// ------------------------------------------------------------------ wrapper

void FakeMeter::on_pdu(const WrapperPdu& pdu) {
    if (pdu.destination != wport) return;
    if (ignore_frames > 0) {
        --ignore_frames;
        return;
    }
    tcp_client_ = pdu.source;
    answer_apdu(pdu.apdu);
}

}  // namespace gridgate::dlms::testing
