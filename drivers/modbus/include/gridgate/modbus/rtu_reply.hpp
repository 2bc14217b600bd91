#pragma once
// The master's view of the bytes that arrive after it sent a read request on an RTU
// line. Pure. RTU has no transaction id, so a reply is accepted only when its CRC is
// right, it comes from the polled address, carries the requested function code and
// exactly the byte count the request implies. Everything else is classified (so it can
// be counted) and discarded; nothing is ever attributed to a request it cannot answer.
//
// The scanner finds the end of a frame by length prediction (byte count) without
// waiting for silence. When the bytes at the start of the buffer cannot begin a valid
// frame, it discards them one at a time, so a reply preceded by line noise (a stray
// byte at bus turnaround, the echo of our own request) is still found.
#include <cstddef>
#include <cstdint>
#include <span>

#include "gridgate/modbus/pdu.hpp"

namespace gridgate::modbus {

enum class ReplyScanKind : std::uint8_t {
    need_more,      // undecided: wait for more bytes, or for line silence
    reply,          // a valid answer to the request (data or exception): `response`
    wrong_address,  // a valid frame from another address
    unexpected,     // a valid frame from the polled address that does not answer this
                    // request (other function code or byte count: a stale reply)
    crc_error,      // frame-shaped bytes from the polled address with the requested
                    // function code, complete by their length, but a bad CRC
    garbage,        // bytes that cannot start a valid frame
};
const char* to_string(ReplyScanKind k);

struct ReplyScan {
    ReplyScanKind kind = ReplyScanKind::need_more;
    // Bytes at the start of the buffer the caller should drop (0 for need_more; the
    // whole frame for reply, wrong_address and unexpected; one byte for crc_error and
    // garbage, so a frame hiding behind them is found on the next call).
    std::size_t consumed = 0;
    std::uint8_t address = 0;  // the frame's address (valid frames)
    ResponseResult response = DecodeError::need_more;  // for `reply`
};

// True while `prefix` (non-empty) could still grow into a valid reply to `request`: it
// starts with the polled address, then the requested function code (or its exception),
// then the byte count the request implies. The master keeps such a prefix across a
// silence instead of dropping it: on a loaded host, a USB adapter or a device server,
// gaps inside a frame are common and the CRC still guards the result.
bool could_be_reply(std::uint8_t address, const ReadRequest& request, std::span<const std::byte> prefix);

// Classifies the bytes at the start of `rx`. `line_silent` says the line has been quiet
// for the inter-frame silence since the last byte of `rx`: a frame still incomplete then
// will never complete, so its bytes are garbage. Call repeatedly, dropping `consumed`
// bytes each time, until it answers need_more (or the buffer is empty).
ReplyScan scan_reply(std::uint8_t address, const ReadRequest& request, std::span<const std::byte> rx,
                     bool line_silent);

}  // namespace gridgate::modbus
