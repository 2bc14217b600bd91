#pragma once
// DLMS/COSEM HDLC data link layer (IEC 62056-46, ISO/IEC 13239 frame format type 3):
// pure encoding and a streaming parser.
//
//   7E | A0|S|len(11 bits) | destination | source | control | HCS | info | FCS | 7E
//
// The format field is 0xA (type 3) in the top nibble, the segmentation bit S (more
// segments of this message follow), and the frame length: every octet between the flags
// (format field to FCS inclusive). HCS (header check sequence) is present only when the
// frame has an information field; FCS covers everything from the format field to the end
// of the info field. Both are CRC-16/X.25 (fcs16), sent least significant octet first.
// Addresses are 1, 2 or 4 octets, 7 bits of address each, the low bit set only in the
// last octet. The client (master) address is always 1 octet: the client SAP.
//
// There is no octet stuffing (frame format type 3 is "non-basic"): a 0x7E may appear
// anywhere inside a frame, and only the length field says where the frame ends.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace gridgate::dlms {

inline constexpr std::uint8_t hdlc_flag = 0x7E;
inline constexpr std::size_t max_hdlc_frame_length = 2047;  // the 11-bit length field

// LLC header that starts the information field of the first (or only) segment of every
// I or UI frame that carries an APDU: client to server E6 E6 00, server to client E6 E7 00.
inline constexpr std::uint8_t llc_request[3] = {0xE6, 0xE6, 0x00};
inline constexpr std::uint8_t llc_response[3] = {0xE6, 0xE7, 0x00};

// CRC-16/X.25: polynomial 0x1021 reflected (0x8408), initial 0xFFFF, final XOR 0xFFFF.
// check("123456789") = 0x906E.
std::uint16_t fcs16(std::span<const std::uint8_t> data);

struct HdlcAddress {
    std::uint16_t upper = 0;  // 1 octet: the whole address (client SAP, or a 1-octet server); else the logical device
    std::uint16_t lower = 0;  // 2 and 4 octets: the physical device address
    std::uint8_t octets = 1;  // 1, 2 or 4

    static HdlcAddress client(std::uint8_t sap) { return {sap, 0, 1}; }
    // A server (meter) address: the logical device (management LD = 1) in the upper HDLC
    // address, the physical device (the JEMStar's "Physical ID", default 100) in the lower.
    static HdlcAddress server(std::uint16_t logical_device, std::uint16_t physical, std::uint8_t octets = 4) {
        return {logical_device, physical, octets};
    }
    friend bool operator==(const HdlcAddress&, const HdlcAddress&) = default;
};

// Throws std::invalid_argument when a part does not fit (7 bits per octet; a 1-octet
// address has no lower part, so lower must be 0) or octets is not 1, 2 or 4.
// E.g. server(1, 100, 4) -> 00 02 00 C9; client(16) -> 21.
std::vector<std::uint8_t> encode_address(const HdlcAddress& address);
// Decodes an address from the start of `data`: the address and the octets it took, or
// nullopt when no octet with the low bit set comes within 4 octets (or 3 octets end it).
std::optional<std::pair<HdlcAddress, std::size_t>> decode_address(std::span<const std::uint8_t> data);

enum class FrameType : std::uint8_t { i, rr, rnr, snrm, disc, ua, dm, frmr, ui };
const char* to_string(FrameType t);

// The control field. I: N(R) << 5 | P/F << 4 | N(S) << 1 | 0; RR: N(R) << 5 | P/F << 4 | 0x01;
// RNR: .. | 0x05; U frames: SNRM 0x83, DISC 0x43, UA 0x63, DM 0x0F, FRMR 0x87, UI 0x03
// (each | 0x10 with P/F set). N(S) and N(R) count modulo 8: encode() sends their low 3
// bits, so a caller may let them run past 7. For the frame types that carry no N(S) or
// N(R), encode() ignores them and decode() leaves them 0. REJ, SREJ and the other HDLC
// commands that DLMS does not use decode to nullopt.
struct HdlcControl {
    FrameType type = FrameType::i;
    std::uint8_t ns = 0;     // I: send sequence number (0..7)
    std::uint8_t nr = 0;     // I, RR, RNR: receive sequence number (0..7)
    bool poll_final = true;  // P/F bit

    std::uint8_t encode() const;
    static std::optional<HdlcControl> decode(std::uint8_t control);  // nullopt: not a frame type we know
    friend bool operator==(const HdlcControl&, const HdlcControl&) = default;
};

struct HdlcFrame {
    HdlcAddress destination;
    HdlcAddress source;
    HdlcControl control;
    bool segmented = false;          // S bit: more segments of this message follow
    std::vector<std::uint8_t> info;  // information field (may be empty)
    friend bool operator==(const HdlcFrame&, const HdlcFrame&) = default;
};

// The whole frame with both flags, HCS (when info is not empty) and FCS. Throws
// std::invalid_argument when it would be longer than max_hdlc_frame_length.
std::vector<std::uint8_t> encode_frame(const HdlcFrame& frame);

// Exactly one frame, both flags included: nullopt unless the length field, HCS, FCS,
// addresses and control field are all right and nothing follows the closing flag.
std::optional<HdlcFrame> decode_frame(std::span<const std::uint8_t> wire);

// Octets of overhead around an info field of a frame between these addresses (format,
// addresses, control, HCS, FCS, both flags): for the wire-ceiling arithmetic. The largest
// info field a frame can carry is max_hdlc_frame_length + 2 - frame_overhead(...)
// (2035 octets with a 4-octet server address). Throws std::invalid_argument when an
// address's octets is not 1, 2 or 4.
std::size_t frame_overhead(const HdlcAddress& destination, const HdlcAddress& source);

// Parameters negotiated by SNRM/UA (IEC 62056-46 6.4.4.4.3.2): the information field
// 81 80 <group length> then 05 <len> max_info_tx, 06 <len> max_info_rx, 07 04 window_tx,
// 08 04 window_rx. Values are from the sender's point of view. A missing parameter takes
// its default (128 octets, window 1).
struct HdlcParameters {
    std::uint16_t max_info_tx = 128;
    std::uint16_t max_info_rx = 128;
    std::uint8_t window_tx = 1;
    std::uint8_t window_rx = 1;
    friend bool operator==(const HdlcParameters&, const HdlcParameters&) = default;
};
// Lengths are the shortest that hold the value (1 or 2 octets; windows 4 octets). All four
// parameters are always sent: the defaults give 81 80 12 05 01 80 06 01 80 07 04 00 00 00
// 01 08 04 00 00 00 01.
std::vector<std::uint8_t> encode_parameters(const HdlcParameters& p);
// An empty field gives the defaults; nullopt when malformed. Accepted: maximum info
// lengths of 1, 2 or 4 octets (a 4-octet value over 65535 is read as 65535: no frame can
// carry even 2048, so the cap changes nothing); windows of 1 to 4 octets (over 7 read as
// 7, the most that modulo-8 numbering allows); parameters in any order; unknown parameter
// ids and groups after the parameter group, skipped by their length. Malformed: a wrong
// format or group identifier, a length running past the field, a known parameter of
// another length, a maximum info length or window of 0.
std::optional<HdlcParameters> decode_parameters(std::span<const std::uint8_t> info);
// What the client uses after the server's UA: it sends at most min(own tx, server's rx)
// octets per frame and expects at most min(own rx, server's tx); likewise the windows.
// The result is not capped by the frame size: the sender still splits by what fits in
// one frame (see frame_overhead).
HdlcParameters negotiate(const HdlcParameters& client_proposal, const HdlcParameters& server_answer);

// One line for traces, e.g. "I N(S)=1 N(R)=2 P dst=00 02 00 C9 src=21 seg info=37".
// Never throws: an address that cannot be encoded shows as "?".
std::string describe(const HdlcFrame& frame);

// Streaming parser: feed it whatever the line delivered; it returns each complete frame
// whose HCS and FCS are right, and resynchronises on the next flag after garbage or a
// check error (counted, never thrown). A single flag may close one frame and open the next.
// The length field, not the next 0x7E, ends a frame; the octet after it must be a flag.
// A rejected frame's octets after its opening flag are scanned again for a flag, so noise
// that looked like a frame start cannot swallow the real frame behind it. The buffer holds
// at most one frame (max_hdlc_frame_length + 2 octets with its flags); octets outside a
// frame are counted and dropped at once. Counters: a flag followed by an octet that is not
// a type 3 format field is noise (discarded_octets, not malformed); a length below the
// minimum or not matching the header, a bad address, a missing closing flag, or an
// unknown control field of an otherwise correct frame is malformed.
class HdlcParser {
public:
    struct Stats {
        std::uint64_t frames = 0;
        std::uint64_t hcs_errors = 0;
        std::uint64_t fcs_errors = 0;
        std::uint64_t malformed = 0;       // bad format field, address or length
        std::uint64_t discarded_octets = 0;  // outside any frame (flags are not counted)
    };
    std::vector<HdlcFrame> feed(std::span<const std::uint8_t> data);
    void reset();  // forget a partial frame
    const Stats& stats() const { return stats_; }
    std::size_t buffered() const { return buffer_.size(); }  // octets of a partial frame held

private:
    std::vector<std::uint8_t> buffer_;
    Stats stats_;
};

}  // namespace gridgate::dlms
