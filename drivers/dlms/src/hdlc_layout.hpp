#pragma once
// Where the fields of an HDLC frame lie (private to the codec): shared by the one-frame
// decoder and the streaming parser, so that both judge a frame by the same rules.
#include <cstddef>
#include <cstdint>
#include <span>

#include "gridgate/dlms/hdlc.hpp"

namespace gridgate::dlms::detail {

// Format field, two 1-octet addresses, control, FCS: the shortest frame there is.
inline constexpr std::size_t min_frame_length = 7;
// Format field, two 4-octet addresses, control.
inline constexpr std::size_t max_header_length = 11;

enum class Scan : std::uint8_t { need_more, bad, ok };

// The layout of a frame, from the octets after its opening flag.
struct FrameLayout {
    std::size_t length = 0;       // the length field: octets between the flags
    std::size_t header = 0;       // format field through control
    std::size_t info = 0;         // information field octets (0: no HCS either)
    std::size_t destination = 0;  // octets of the destination address
    std::size_t source = 0;       // octets of the source address
};

// Reads the format field, the length and both addresses from `body` (the frame without
// its opening flag). need_more: `body` ends before the control field; bad: not a type 3
// format field, a length below the minimum or too short for the header (or leaving room
// for an HCS but not for one octet of info), or an address of 3 or more than 4 octets.
Scan scan_layout(std::span<const std::uint8_t> body, FrameLayout& layout);

// True when the two octets at `check` are the little-endian fcs16 of `covered`.
bool check_sequence_ok(std::span<const std::uint8_t> covered, std::span<const std::uint8_t> check);

// Builds the frame from a body whose layout and check sequences have been verified;
// nullopt when the control field is not one we know.
std::optional<HdlcFrame> frame_from_body(std::span<const std::uint8_t> body, const FrameLayout& layout);

}  // namespace gridgate::dlms::detail
