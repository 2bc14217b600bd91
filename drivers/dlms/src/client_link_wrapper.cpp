// The client's TCP wrapper link (IEC 62056-47): one wrapper PDU out, the answering PDU in.
// No connection of its own (the TCP connection is the line's) and no re-send: TCP does
// not lose a PDU, so a missing answer means the meter or the connection is gone, and a
// late answer must never be taken for the next request's, so the connection is closed.
#include "client_link.hpp"
#include "gridgate/dlms/wrapper.hpp"

namespace gridgate::dlms::detail {

namespace {

class WrapperLink final : public LinkBase {
public:
    explicit WrapperLink(LinkEnv env) : LinkBase(std::move(env)), parser_(options().max_receive_pdu) {}

    bool connected() const override { return true; }
    void forget() override { parser_.reset(); }

    void connect(transport::ByteChannel& channel, LinkHandler handler) override {
        begin(channel, std::move(handler));
        complete({});
    }

    void disconnect(transport::ByteChannel& channel, LinkHandler handler) override {
        begin(channel, std::move(handler));
        complete({});
    }

    void exchange(transport::ByteChannel& channel, std::vector<std::uint8_t> apdu, TraceMask mask,
                  LinkHandler handler) override {
        begin(channel, std::move(handler));
        if (apdu.size() > 0xFFFF) return fail(LinkStatus::protocol_error, "request too large for the wrapper");
        // Whatever is buffered belongs to an earlier exchange.
        parser_.reset();
        auto pdu = encode_wrapper(options().client_sap, options().server_wport, apdu);
        if (!mask.empty()) mask = {mask.begin + wrapper_header_size, mask.end + wrapper_header_size};
        keep_reading();
        send(std::move(pdu), mask, [this] { sent_us_ = now_us(); },
             [this] { arm_response_timer(options().response_timeout); });
    }

private:
    void on_response_timeout() override {
        count([](ClientStats& s) { ++s.timeouts; });
        fail(LinkStatus::timeout, "no answer from the meter");
    }

    void on_bytes(std::span<const std::uint8_t> bytes) override {
        const auto pdus = parser_.feed(bytes);
        for (const auto& pdu : pdus) {
            if (!active()) return;
            if (tracing()) {
                const auto raw = encode_wrapper(pdu.source, pdu.destination, pdu.apdu);
                logger().trace_frame(options().id, "rx", std::as_bytes(std::span<const std::uint8_t>(raw)));
            }
            if (pdu.source != options().server_wport || pdu.destination != options().client_sap) {
                count([](ClientStats& s) { ++s.foreign_frames; });
                continue;
            }
            count([](ClientStats& s) { ++s.frames_received; });
            LinkResult r;
            r.apdu = pdu.apdu;
            r.sent_us = sent_us_;
            r.received_us = now_us();
            return complete(std::move(r));
        }
        if (parser_.failed() && active()) {
            count([](ClientStats& s) { ++s.frame_errors; });
            fail(LinkStatus::protocol_error, "wrapper stream out of step: " + parser_.error());
        }
    }

    WrapperParser parser_;
};

}  // namespace

std::shared_ptr<ClientLink> make_wrapper_link(LinkEnv env) { return std::make_shared<WrapperLink>(std::move(env)); }

}  // namespace gridgate::dlms::detail
