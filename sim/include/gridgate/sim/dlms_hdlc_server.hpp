#pragma once
// The HDLC server link layer (IEC 62056-46) of one simulated JEMStar II on a serial line:
// one physical device, one HDLC connection at a time, pure (frames and times in, frames
// out; the transport and the COSEM server are elsewhere).
//
//   NDM  --SNRM/UA (parameters negotiated)-->  NRM  --DISC/UA, inactivity-->  NDM
//
// Addressing: only frames whose destination is this device's address in the configured
// form (4 octets by default: upper = logical device 1, lower = the physical ID) and whose
// source is a 1-octet client address are ours; 1- and 2-octet forms of the same device
// and broadcast addresses are not answered (the meter states 4-byte addressing).
//
// NRM, for the connected client: I-frames are taken in sequence (N(S) must be V(R));
// a request split by the client (S bit) is acknowledged segment by segment with RR and
// reassembled; the LLC header E6 E6 00 is stripped and the APDU goes to the handler,
// whose answer goes back behind E6 E7 00, cut into segments of the negotiated maximum
// information field, at most a window of them per poll, the next ones after the client's
// RR. Every frame's N(R) acknowledges ours; a poll whose N(R) does not acknowledge what we
// sent (a repeated I-frame or RR: the client lost our answer) gets those frames again.
// We answer only polls (P bit set), as a secondary in normal response mode must.
// A DISC ends the connection (UA); SNRM while connected starts it again; an N(R) outside
// what we sent or an information field over the negotiated size is a frame reject (FRMR,
// repeated until SNRM or DISC). In NDM, SNRM connects, DISC gets DM, and polled I, RR and
// RNR frames get DM. No frame for the inactivity timeout ends the connection silently.
// The handler's association ends (on_disconnect) whenever the connection does.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/dlms/hdlc.hpp"

namespace gridgate::sim {

struct DlmsHdlcOptions {
    std::uint16_t logical_device = 1;   // upper HDLC address (management logical device)
    std::uint16_t physical_id = 100;    // lower HDLC address (the meter's "Physical ID")
    std::uint8_t address_octets = 4;    // 1, 2 or 4 (1: the address is the physical ID alone)
    dlms::HdlcParameters parameters{};  // the meter's own limits: 128/128/1/1
    Duration inactivity_timeout = std::chrono::seconds(120);  // 0 = never
    std::size_t max_request = 65535 + 3;  // reassembled request (LLC + APDU) limit
};

struct DlmsHdlcStats {
    std::uint64_t frames_rx = 0;            // frames addressed to this device
    std::uint64_t frames_tx = 0;
    std::uint64_t connects = 0;             // SNRM answered with UA
    std::uint64_t disconnects = 0;          // DISC answered with UA
    std::uint64_t dm_sent = 0;
    std::uint64_t frmr_sent = 0;
    std::uint64_t i_frames_rx = 0;
    std::uint64_t segments_rx = 0;          // I-frames with the S bit (more segments follow)
    std::uint64_t segments_tx = 0;
    std::uint64_t apdus_rx = 0;             // complete requests handed to the COSEM server
    std::uint64_t apdus_tx = 0;             // responses sent (each possibly in several segments)
    std::uint64_t retransmissions = 0;      // our I-frames sent again
    std::uint64_t repeated_i_frames = 0;    // I-frames with the previous N(S): the client lost our answer
    std::uint64_t sequence_errors = 0;      // other N(S) out of sequence (data dropped), or N(R) invalid
    std::uint64_t llc_errors = 0;           // requests without E6 E6 00 (dropped)
    std::uint64_t oversized = 0;            // requests over max_request (dropped)
    std::uint64_t inactivity_timeouts = 0;
    std::uint64_t ignored = 0;              // UI, UA, DM, FRMR from a client; non-client sources
};

class DlmsHdlcServer {
public:
    // The COSEM server's answer to one request APDU (empty: no answer).
    using ApduHandler = std::function<std::vector<std::uint8_t>(std::uint16_t client_sap,
                                                                std::span<const std::uint8_t> apdu)>;
    using Disconnected = std::function<void()>;

    // Throws std::invalid_argument when the address does not fit its octets (see
    // dlms::encode_address) or a parameter is 0.
    DlmsHdlcServer(DlmsHdlcOptions options, ApduHandler on_apdu, Disconnected on_disconnect = {});

    const DlmsHdlcOptions& options() const { return options_; }
    const dlms::HdlcAddress& address() const { return address_; }
    bool addressed_to_me(const dlms::HdlcFrame& frame) const { return frame.destination == address_; }

    // One frame from the line at `now` (frames for other addresses are ignored): the
    // frames to send, in order.
    std::vector<dlms::HdlcFrame> on_frame(const dlms::HdlcFrame& frame, SteadyTime now);

    // The inactivity timeout; call at next_deadline() (or later).
    void on_timer(SteadyTime now);
    std::optional<SteadyTime> next_deadline() const;

    // Back to NDM without a word (the link went down); the association ends.
    void disconnect();

    bool connected() const { return connected_; }
    std::uint8_t client_sap() const { return client_sap_; }
    // What this server uses in NRM: max_info_tx is what it sends per frame, max_info_rx
    // the most it accepts (the UA's values).
    const dlms::HdlcParameters& negotiated() const { return negotiated_; }
    const DlmsHdlcStats& stats() const { return stats_; }

private:
    struct Segment {
        bool more = false;  // S bit
        std::vector<std::uint8_t> info;
        std::uint8_t ns = 0;
    };

    using Out = std::vector<dlms::HdlcFrame>;
    void on_snrm(const dlms::HdlcFrame& frame, SteadyTime now, Out& out);
    void on_disc(const dlms::HdlcFrame& frame, Out& out);
    void on_i(const dlms::HdlcFrame& frame, Out& out);
    void on_rr(const dlms::HdlcFrame& frame, Out& out);
    bool acknowledge(std::uint8_t nr);
    void take_segment(const dlms::HdlcFrame& frame);
    void deliver_request();
    void respond(bool poll, Out& out);
    void reject(const dlms::HdlcFrame& frame, std::uint8_t reason, Out& out);
    void end_connection();
    dlms::HdlcFrame frame_to_client(dlms::FrameType type, bool final_bit) const;
    void send_i(const Segment& segment, bool final_bit, Out& out);
    void send(dlms::HdlcFrame frame, Out& out);

    DlmsHdlcOptions options_;
    dlms::HdlcAddress address_;
    ApduHandler on_apdu_;
    Disconnected on_disconnect_;

    bool connected_ = false;
    std::uint8_t client_sap_ = 0;
    dlms::HdlcParameters negotiated_;
    std::uint8_t vs_ = 0;  // V(S): the N(S) of our next I-frame
    std::uint8_t vr_ = 0;  // V(R): the N(S) we expect next
    bool client_busy_ = false;           // RNR received
    std::deque<Segment> unacked_;        // sent, not acknowledged (oldest first)
    std::deque<Segment> pending_;        // the rest of a response, not sent yet
    std::vector<std::uint8_t> request_;  // a request's segments so far
    bool request_dropped_ = false;       // over max_request: the rest of it is dropped
    std::optional<std::vector<std::uint8_t>> frmr_info_;  // in the frame reject condition
    SteadyTime last_activity_{};
    DlmsHdlcStats stats_;
};

}  // namespace gridgate::sim
