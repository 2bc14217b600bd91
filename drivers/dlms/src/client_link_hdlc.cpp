// The client's HDLC link (IEC 62056-46): SNRM/UA with parameter negotiation, I-frames with
// N(S)/N(R), segmentation both ways (RR between segments), RR/RNR from a busy meter,
// DISC, and the same frame sent again after a response timeout. Frames between other
// stations on a shared bus are counted and ignored.
#include <algorithm>

#include "client_link.hpp"
#include "gridgate/dlms/hdlc.hpp"

namespace gridgate::dlms::detail {

namespace {

constexpr unsigned max_busy_polls = 10;  // consecutive RR/RNR "not ready" answers before giving up

std::uint8_t next(std::uint8_t n) { return static_cast<std::uint8_t>((n + 1) & 7); }

class HdlcLink final : public LinkBase {
public:
    explicit HdlcLink(LinkEnv env)
        : LinkBase(std::move(env)),
          server_(HdlcAddress::server(options().hdlc.logical_device, options().hdlc.physical_id,
                                      options().hdlc.address_octets)),
          client_(HdlcAddress::client(static_cast<std::uint8_t>(options().client_sap))) {}

    bool connected() const override { return connected_; }
    HdlcParameters negotiated() const override { return params_; }
    void forget() override {
        connected_ = false;
        parser_.reset();
    }

    void connect(transport::ByteChannel& channel, LinkHandler handler) override {
        start(channel, std::move(handler), Op::snrm);
        connected_ = false;
        HdlcFrame f = frame(HdlcControl{FrameType::snrm, 0, 0, true});
        f.info = encode_parameters(options().hdlc.proposal);
        send_frame(f);
    }

    void disconnect(transport::ByteChannel& channel, LinkHandler handler) override {
        start(channel, std::move(handler), Op::disc);
        send_frame(frame(HdlcControl{FrameType::disc, 0, 0, true}));
    }

    void exchange(transport::ByteChannel& channel, std::vector<std::uint8_t> apdu, TraceMask mask,
                  LinkHandler handler) override {
        start(channel, std::move(handler), Op::data);
        if (!connected_) return fail(LinkStatus::disconnected, "no HDLC connection");
        // The LLC header goes before the APDU; the whole is cut into segments of what the
        // meter agreed to receive.
        std::vector<std::uint8_t> info(std::begin(llc_request), std::end(llc_request));
        info.insert(info.end(), apdu.begin(), apdu.end());
        // Never more than a frame can hold, whatever was negotiated.
        const std::size_t ceiling = max_hdlc_frame_length - frame_overhead(server_, client_) + 2;
        const std::size_t max_info =
            std::min<std::size_t>(params_.max_info_tx > 0 ? params_.max_info_tx : 128, ceiling);
        segments_.clear();
        masks_.clear();
        for (std::size_t at = 0; at < info.size(); at += max_info) {
            const std::size_t len = std::min(max_info, info.size() - at);
            segments_.emplace_back(info.begin() + static_cast<std::ptrdiff_t>(at),
                                   info.begin() + static_cast<std::ptrdiff_t>(at + len));
            // The mask in APDU octets, moved to this segment's info octets.
            TraceMask m;
            if (!mask.empty()) {
                const std::size_t lo = std::max(mask.begin + 3, at), hi = std::min(mask.end + 3, at + len);
                if (lo < hi) m = {lo - at, hi - at};
            }
            masks_.push_back(m);
        }
        segment_ = 0;
        response_.clear();
        send_segment();
    }

private:
    enum class Op : std::uint8_t { none, snrm, data, disc };

    void start(transport::ByteChannel& channel, LinkHandler handler, Op op) {
        begin(channel, std::move(handler));
        op_ = op;
        attempts_ = 0;
        busy_polls_ = 0;
        segment_resends_ = 0;
        awaiting_response_ = false;
        awaiting_poll_ = false;
        response_started_ = false;
        segment_acked_ = false;
        keep_reading();
    }

    HdlcFrame frame(HdlcControl control) const {
        HdlcFrame f;
        f.destination = server_;
        f.source = client_;
        f.control = control;
        return f;
    }

    // Sends a frame and remembers it: a timeout sends exactly this again.
    void send_frame(const HdlcFrame& f, TraceMask info_mask = {}) {
        last_ = f;
        last_mask_ = info_mask;
        transmit_last();
    }

    void transmit_last() {
        auto bytes = encode_frame(last_);
        TraceMask m;
        if (!last_mask_.empty()) {
            // The info field ends 3 octets before the frame does (FCS, flag).
            const std::size_t info_at = bytes.size() - 3 - last_.info.size();
            m = {info_at + last_mask_.begin, info_at + last_mask_.end};
        }
        send(std::move(bytes), m, [this] { sent_us_ = now_us(); },
             [this] { arm_response_timer(options().response_timeout); });
    }

    void send_segment() {
        const bool more = segment_ + 1 < segments_.size();
        HdlcFrame f = frame(HdlcControl{FrameType::i, vs_, vr_, true});
        f.segmented = more;
        f.info = segments_[segment_];
        awaiting_response_ = !more;
        segment_acked_ = false;
        attempts_ = 0;
        send_frame(f, masks_[segment_]);
    }

    void send_rr() {
        attempts_ = 0;
        send_frame(frame(HdlcControl{FrameType::rr, 0, vr_, true}));
    }

    void on_response_timeout() override {
        if (awaiting_poll_) {
            // Ask a busy meter again whether it has something (RR with the poll bit).
            awaiting_poll_ = false;
            const unsigned attempts = attempts_;
            send_frame(frame(HdlcControl{FrameType::rr, 0, vr_, true}));
            attempts_ = attempts;
            return;
        }
        count([](ClientStats& s) { ++s.timeouts; });
        if (attempts_ >= options().hdlc.retries) {
            if (op_ == Op::snrm || op_ == Op::disc) connected_ = false;
            return fail(LinkStatus::timeout, std::string("no answer to ") + to_string(last_.control.type) +
                                                 " after " + std::to_string(attempts_ + 1) + " attempts");
        }
        ++attempts_;
        logger().debug("dlms", options().id + ": no answer, sending " + describe(last_) + " again");
        transmit_last();
    }

    void on_silence() override { parser_.reset(); }  // a frame cut short: whatever follows starts afresh

    void on_bytes(std::span<const std::uint8_t> bytes) override {
        const auto frames = parser_.feed(bytes);
        const auto& ps = parser_.stats();
        const std::uint64_t errors = ps.hcs_errors + ps.fcs_errors + ps.malformed;
        if (errors != parser_errors_) {
            const std::uint64_t delta = errors - parser_errors_;
            parser_errors_ = errors;
            count([delta](ClientStats& s) { s.frame_errors += delta; });
        }
        arm_silence_timer(options().hdlc.inter_frame_timeout);
        for (const auto& f : frames) {
            if (!active()) return;
            on_frame(f);
        }
    }

    void on_frame(const HdlcFrame& f) {
        if (tracing()) {
            const auto bytes = encode_frame(f);
            logger().trace_frame(options().id, "rx", std::as_bytes(std::span<const std::uint8_t>(bytes)));
        }
        if (f.destination != client_ || f.source != server_) {
            count([](ClientStats& s) { ++s.foreign_frames; });
            return;
        }
        count([](ClientStats& s) { ++s.frames_received; });
        switch (f.control.type) {
            case FrameType::dm:
            case FrameType::disc:
            case FrameType::frmr:
                connected_ = false;
                cancel_response_timer();
                if (op_ == Op::disc) return ok();  // DM to a DISC: already disconnected, as asked
                return fail(LinkStatus::disconnected, std::string("meter answered with ") +
                                                          to_string(f.control.type) + " (not connected)");
            case FrameType::ua:
                if (op_ == Op::snrm) return on_ua(f);
                if (op_ == Op::disc) {
                    connected_ = false;
                    return ok();
                }
                return protocol_error("unexpected UA");
            case FrameType::ui: return;  // a notification: nothing the client asked for
            case FrameType::snrm: return protocol_error("unexpected SNRM");
            case FrameType::rr:
            case FrameType::rnr: return on_rr(f);
            case FrameType::i: return on_i(f);
        }
    }

    void on_ua(const HdlcFrame& f) {
        const auto answer = decode_parameters(f.info);
        if (!answer) return protocol_error("UA with malformed parameters");
        params_ = negotiate(options().hdlc.proposal, *answer);
        vs_ = 0;
        vr_ = 0;
        connected_ = true;
        ok();
    }

    void on_rr(const HdlcFrame& f) {
        if (op_ != Op::data) return;  // late: its frame was given up
        cancel_response_timer();
        awaiting_poll_ = false;
        const bool rr = f.control.type == FrameType::rr;
        if (!awaiting_response_) {
            // Between our segments: the meter acknowledges the last one (RR: send the
            // next; RNR: it took it but is busy), or asks for it again.
            if (f.control.nr == next(vs_)) {
                vs_ = next(vs_);
                ++segment_;
                segment_acked_ = true;
            }
            if (rr && segment_acked_) return send_segment();
            if (rr) return resend_segment();
            return poll_later();
        }
        if (f.control.nr == next(vs_) && !response_started_) {
            vs_ = next(vs_);
            response_started_ = true;
        }
        return poll_later();  // the request arrived, the answer is not ready
    }

    void poll_later() {
        if (++busy_polls_ > max_busy_polls) return fail(LinkStatus::timeout, "meter stays busy (RR/RNR)");
        awaiting_poll_ = true;
        arm_response_timer(std::max<Duration>(options().response_timeout / 10, std::chrono::milliseconds(1)));
    }

    void resend_segment() {
        if (segment_resends_ >= options().hdlc.retries) return protocol_error("meter keeps asking for a segment again");
        ++segment_resends_;
        const unsigned attempts = attempts_;
        send_segment();
        attempts_ = attempts;
    }

    // Our last frame again, the answer to a frame of the meter's we already had.
    void send_again() {
        if (attempts_ >= options().hdlc.retries) return protocol_error("meter keeps repeating a frame");
        ++attempts_;
        transmit_last();
    }

    void on_i(const HdlcFrame& f) {
        if (op_ != Op::data || !awaiting_response_) return protocol_error("unexpected I-frame");
        if (f.control.ns != vr_) {
            // A repeat of the meter's previous frame: it missed our acknowledgement.
            if (next(f.control.ns) == vr_) return send_again();
            return protocol_error("I-frame out of sequence: N(S)=" + std::to_string(f.control.ns) + ", expected " +
                                  std::to_string(vr_));
        }
        if (!response_started_) {
            if (f.control.nr != next(vs_)) return protocol_error("I-frame does not acknowledge the request");
            vs_ = next(vs_);
            response_started_ = true;
        }
        cancel_response_timer();
        vr_ = next(vr_);
        response_.insert(response_.end(), f.info.begin(), f.info.end());
        if (response_.size() > std::size_t{options().max_receive_pdu} + 3)
            return protocol_error("response over the maximum PDU size (" +
                                  std::to_string(options().max_receive_pdu) + ")");
        if (f.segmented) {
            // Only a frame with the final bit gives the turn back (windows over 1).
            if (f.control.poll_final) send_rr();
            else arm_response_timer(options().response_timeout);
            return;
        }
        if (response_.size() < 3 || !std::equal(std::begin(llc_response), std::end(llc_response), response_.begin())) {
            count([](ClientStats& s) { ++s.frame_errors; });
            return protocol_error("response without the LLC header E6 E7 00");
        }
        LinkResult r;
        r.apdu.assign(response_.begin() + 3, response_.end());
        r.sent_us = sent_us_;
        r.received_us = now_us();
        complete(std::move(r));
    }

    void ok() {
        LinkResult r;
        r.sent_us = sent_us_;
        r.received_us = now_us();
        complete(std::move(r));
    }

    void protocol_error(const std::string& why) {
        connected_ = false;
        fail(LinkStatus::protocol_error, why);
    }

    const HdlcAddress server_;
    const HdlcAddress client_;
    HdlcParser parser_;
    std::uint64_t parser_errors_ = 0;
    HdlcParameters params_{};
    bool connected_ = false;
    std::uint8_t vs_ = 0;  // N(S) of our next I-frame
    std::uint8_t vr_ = 0;  // N(S) expected in the meter's next I-frame
    Op op_ = Op::none;
    HdlcFrame last_;
    TraceMask last_mask_;
    unsigned attempts_ = 0;
    unsigned busy_polls_ = 0;
    bool awaiting_response_ = false;  // the request is out: the meter's I-frames come next
    bool response_started_ = false;
    bool awaiting_poll_ = false;      // the timer runs for a poll of a busy meter, not a timeout
    bool segment_acked_ = false;
    unsigned segment_resends_ = 0;
    std::vector<std::vector<std::uint8_t>> segments_;
    std::vector<TraceMask> masks_;
    std::size_t segment_ = 0;
    std::vector<std::uint8_t> response_;
};

}  // namespace

std::shared_ptr<ClientLink> make_hdlc_link(LinkEnv env) { return std::make_shared<HdlcLink>(std::move(env)); }

}  // namespace gridgate::dlms::detail
