#pragma once
// The wire cost of a DLMS load-profile readout, computed with gridgate's own codec (the
// same encoders metersim answers with): what one range request of n entries puts on the
// line, both ways, so the bench can state the ceiling a half-duplex serial line allows.
//
// Per chunk of n entries (one GET-Request-Normal with a range descriptor):
//   E     = one encoded buffer entry: structure { date-time as octet-string(12),
//           status double-long-unsigned, C float32 } = 2 + 14 + 5 + 5 C octets
//   D     = the encoded buffer: array header + n E
//   the answer: one GET-Response-Normal when it fits the negotiated PDU P, else D cut
//           into GET-Response-With-Datablock APDUs of at most P octets (a 12..14-octet
//           block header each), each block after the first asked for by a
//           GET-Request-Next
//   HDLC: every APDU a travels as a + 3 (LLC) octets of information, in
//           k = ceil((a + 3) / I) frames of F octets of overhead each (frame_overhead:
//           flags, format, addresses, control, HCS, FCS), and the receiver answers every
//           window of W frames but the last with an RR frame (no info field)
//   TCP wrapper: every APDU a travels as a + 8 octets (no segmentation, no RR)
// The line time of a chunk is the sum of both directions (a half-duplex line carries one
// at a time): ceiling = (baud / 10) * n / octets(chunk) intervals/s at 8N1.
#include <cstddef>
#include <cstdint>
#include <string>

namespace gridgate::bench {

struct WireModelParams {
    bool hdlc = true;
    std::size_t channels = 6;      // float32 columns the meter sends (all of them, whatever the client maps)
    std::size_t max_pdu = 512;     // the largest APDU the meter sends (negotiated)
    std::size_t info_to_client = 128;  // HDLC max information field meter -> client (client's max_info_rx)
    std::size_t info_to_meter = 128;   // client -> meter (client's max_info_tx)
    unsigned window_to_client = 1;     // frames per poll meter -> client (client's window_rx)
    unsigned window_to_meter = 1;
};

struct WireCost {
    std::uint64_t to_client = 0;  // octets meter -> client
    std::uint64_t to_meter = 0;   // octets client -> meter
    std::uint64_t apdus_to_client = 0;
    std::uint64_t frames_to_client = 0;  // HDLC I-frames (TCP: wrapper PDUs)
    std::uint64_t frames_to_meter = 0;   // I-frames and RRs (TCP: wrapper PDUs)
    std::uint64_t total() const { return to_client + to_meter; }
    WireCost& operator+=(const WireCost& o);
};

// Sizes the formula is made of, for the printout.
struct WireConstants {
    std::size_t entry = 0;            // E
    std::size_t frame_overhead = 0;   // F
    std::size_t rr_frame = 0;         // an RR frame
    std::size_t range_request = 0;    // the GET-Request-Normal APDU with the range
    std::size_t next_request = 0;     // a GET-Request-Next APDU
    std::size_t block_header = 0;     // a datablock's header with a 2-octet raw-data length
};
WireConstants wire_constants(const WireModelParams& p);

// One range request answered with `entries` entries.
WireCost chunk_cost(const WireModelParams& p, std::size_t entries);
// `intervals` read in chunks of `chunk` (the last one smaller); `skip_chunks` leaves out
// the first ones (the bench's steady-state window starts after the first chunk).
WireCost readout_cost(const WireModelParams& p, std::size_t intervals, std::size_t chunk,
                      std::size_t skip_chunks = 0);

// The formula with the numbers filled in, a few lines for the bench's output.
std::string describe_model(const WireModelParams& p, std::size_t chunk);

}  // namespace gridgate::bench
