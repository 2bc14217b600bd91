#pragma once
// chrony's command-and-monitoring protocol (cmdmon, protocol version 6 as spoken by
// chrony 4.x), the part gridgated needs: the TRACKING request and its reply. Pure: builds
// and parses octets, no sockets, no clock. Everything on the wire is big-endian.
//
// Layout (from chrony's candm.h, checked against chronyd 4.3 and `chronyc -c tracking` in
// tests/integration/time_chrony):
//   request header (20 octets): version u8, packet type u8 (1), 2 reserved, command u16,
//     attempt u16, sequence u32, 8 reserved; TRACKING has no data but chronyd only answers
//     a request at least as long as its reply (anti-amplification), so it is zero-padded
//     to 104 octets.
//   reply header (28 octets): version u8, packet type u8 (2), 2 reserved, command u16 (echo),
//     reply code u16, status u16, 6 reserved, sequence u32 (echo), 8 reserved.
//   TRACKING reply data (76 octets): ref_id u32, address (16 octets + family u16 + pad u16),
//     stratum u16, leap u16, ref time (seconds high u32, seconds low u32, ns u32), then nine
//     chrony floats: current correction, last offset, RMS offset, frequency, residual
//     frequency, skew (ppm), root delay, root dispersion, last update interval (s).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gridgate/core/time.hpp"

namespace gridgate::timesync {

namespace chrony {
inline constexpr std::uint8_t protocol_version = 6;
inline constexpr std::uint8_t packet_type_request = 1;
inline constexpr std::uint8_t packet_type_reply = 2;
inline constexpr std::uint16_t command_tracking = 33;
inline constexpr std::uint16_t reply_tracking = 5;
inline constexpr std::size_t request_header_size = 20;
inline constexpr std::size_t reply_header_size = 28;
inline constexpr std::size_t tracking_reply_size = reply_header_size + 76;  // 104
inline constexpr std::size_t tracking_request_size = tracking_reply_size;   // padded

// Address families of chrony's IPAddr.
inline constexpr std::uint16_t family_unspec = 0;
inline constexpr std::uint16_t family_inet4 = 1;
inline constexpr std::uint16_t family_inet6 = 2;
inline constexpr std::uint16_t family_id = 3;

// Leap status values (the NTP leap indicator).
inline constexpr std::uint16_t leap_normal = 0;
inline constexpr std::uint16_t leap_insert_second = 1;
inline constexpr std::uint16_t leap_delete_second = 2;
inline constexpr std::uint16_t leap_unsynchronised = 3;

// The refid chronyd reports when its `local` directive is in charge (127.127.1.1).
inline constexpr std::uint32_t local_reference_id = 0x7F7F0101;

// Reply status codes worth naming (chronyd's STT_*).
inline constexpr std::uint16_t status_success = 0;
std::string_view status_name(std::uint16_t status);  // "unauthorised", "bad packet version"...

// chrony's 32-bit float: 7-bit signed exponent over a 25-bit signed coefficient,
// value = coefficient * 2^(exponent - 25). NaN encodes as 0; values beyond the range
// saturate; values below it lose precision and end at 0.
double decode_float(std::uint32_t raw);
std::uint32_t encode_float(double value);

// chrony's timespec: seconds split in two 32-bit halves (high 0x7fffffff means "no high
// part", as 32-bit chronyd sends), nanoseconds clamped to < 1e9. Returns µs since the epoch.
TimestampUs decode_timespec(std::uint32_t sec_high, std::uint32_t sec_low, std::uint32_t nsec);
}  // namespace chrony

// What chronyd says about the system clock (`chronyc tracking`).
struct ChronyTracking {
    std::uint32_t ref_id = 0;        // refid: IPv4 address, hash of IPv6, or 4 ASCII (refclock)
    std::string ref_ip;              // "" (unspecified: refclock or unsynchronised), "a.b.c.d", IPv6 text
    std::uint16_t stratum = 0;       // 0 when unsynchronised
    std::uint16_t leap_status = chrony::leap_unsynchronised;
    TimestampUs ref_time_us = 0;     // UTC of the last clock update, 0 if none
    double current_correction_s = 0; // correction still being applied: negative = clock is fast
    double last_offset_s = 0;
    double rms_offset_s = 0;
    double freq_ppm = 0;
    double resid_freq_ppm = 0;
    double skew_ppm = 0;
    double root_delay_s = 0;
    double root_dispersion_s = 0;
    double last_update_interval_s = 0;

    // The source as an operator reads it: the address for NTP sources, the refid's
    // printable characters for reference clocks ("GPS", "PPS"), "" when there is none.
    std::string reference_name() const;
    // Maximum error of the clock as chrony estimates it: root delay / 2 + root dispersion.
    double root_distance_s() const { return root_delay_s / 2 + root_dispersion_s; }

    friend bool operator==(const ChronyTracking&, const ChronyTracking&) = default;
};

// The request, padded to the reply's length as chronyd requires.
std::vector<std::byte> encode_tracking_request(std::uint32_t sequence, std::uint16_t attempt = 0);

enum class ReplyError {
    none,
    too_short,          // shorter than the header, or than the TRACKING data
    wrong_version,      // not protocol version 6
    wrong_packet_type,  // not a reply
    wrong_command,      // not an answer to TRACKING
    wrong_sequence,     // an answer to another request (stale retry, or not ours)
    error_status,       // chronyd refused: see `status`
    wrong_reply_code,   // success but not a TRACKING reply
};
std::string_view to_string(ReplyError e);

struct TrackingReply {
    std::optional<ChronyTracking> tracking;  // set when error == none
    ReplyError error = ReplyError::none;
    std::uint16_t status = chrony::status_success;  // chronyd's status when error_status
    std::string detail;                              // human text for logs
};

// Parses one reply datagram, checking it answers TRACKING request `expected_sequence`.
TrackingReply parse_tracking_reply(std::span<const std::byte> datagram,
                                   std::uint32_t expected_sequence);

// The inverse, for tests and simulators: a success reply carrying `t`.
std::vector<std::byte> encode_tracking_reply(const ChronyTracking& t, std::uint32_t sequence);

}  // namespace gridgate::timesync
