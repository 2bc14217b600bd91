// The TRACKING request and reply of chrony's cmdmon protocol (layout in the header).
#include "gridgate/time/chrony_protocol.hpp"

#include <arpa/inet.h>

#include <array>
#include <cctype>
#include <cstring>

namespace gridgate::timesync {

namespace {

// Big-endian field access over a datagram whose length the caller has checked.
class Reader {
public:
    explicit Reader(std::span<const std::byte> data) : data_(data) {}
    std::uint8_t u8(std::size_t at) const { return std::to_integer<std::uint8_t>(data_[at]); }
    std::uint16_t u16(std::size_t at) const {
        return static_cast<std::uint16_t>(u8(at) << 8 | u8(at + 1));
    }
    std::uint32_t u32(std::size_t at) const {
        return static_cast<std::uint32_t>(u16(at)) << 16 | u16(at + 2);
    }
    double f(std::size_t at) const { return chrony::decode_float(u32(at)); }

private:
    std::span<const std::byte> data_;
};

class Writer {
public:
    explicit Writer(std::size_t size) : data_(size, std::byte{0}) {}
    void u8(std::size_t at, std::uint8_t v) { data_[at] = std::byte{v}; }
    void u16(std::size_t at, std::uint16_t v) {
        u8(at, static_cast<std::uint8_t>(v >> 8));
        u8(at + 1, static_cast<std::uint8_t>(v));
    }
    void u32(std::size_t at, std::uint32_t v) {
        u16(at, static_cast<std::uint16_t>(v >> 16));
        u16(at + 2, static_cast<std::uint16_t>(v));
    }
    void f(std::size_t at, double v) { u32(at, chrony::encode_float(v)); }
    std::vector<std::byte> take() { return std::move(data_); }

private:
    std::vector<std::byte> data_;
};

// Offsets in the reply; the TRACKING data starts right after the 28-octet header.
namespace at {
constexpr std::size_t version = 0, packet_type = 1, command = 4, reply = 6, status = 8;
constexpr std::size_t sequence = 16;
constexpr std::size_t data = chrony::reply_header_size;
constexpr std::size_t ref_id = data, address = data + 4, family = data + 20;
constexpr std::size_t stratum = data + 24, leap = data + 26, ref_time = data + 28;
constexpr std::size_t floats = data + 40;  // nine chrony floats, 4 octets each
}  // namespace at

std::string address_text(Reader r) {
    switch (r.u16(at::family)) {
    case chrony::family_inet4: {
        const std::uint32_t a = r.u32(at::address);
        return std::to_string(a >> 24) + '.' + std::to_string(a >> 16 & 0xff) + '.' +
               std::to_string(a >> 8 & 0xff) + '.' + std::to_string(a & 0xff);
    }
    case chrony::family_inet6: {
        std::array<unsigned char, 16> raw{};
        for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = r.u8(at::address + i);
        std::array<char, INET6_ADDRSTRLEN> text{};
        if (::inet_ntop(AF_INET6, raw.data(), text.data(), text.size()) == nullptr) return {};
        return text.data();
    }
    case chrony::family_id:  // an unresolved source: chronyc shows it the same way
        return "ID#" + std::to_string(r.u32(at::address));
    default:
        return {};
    }
}

TrackingReply refuse(ReplyError e, std::string detail, std::uint16_t status = 0) {
    TrackingReply r;
    r.error = e;
    r.status = status;
    r.detail = std::move(detail);
    return r;
}

}  // namespace

std::string_view chrony::status_name(std::uint16_t status) {
    switch (status) {
    case 0: return "success";
    case 1: return "failed";
    case 2: return "unauthorised";
    case 3: return "invalid";
    case 4: return "no such source";
    case 6: return "not enabled";
    case 9: return "access denied";
    case 13: return "no RTC";
    case 15: return "inactive";
    case 18: return "bad packet version";
    case 19: return "bad packet length";
    default: return "unknown status";
    }
}

std::string_view to_string(ReplyError e) {
    switch (e) {
    case ReplyError::none: return "none";
    case ReplyError::too_short: return "too short";
    case ReplyError::wrong_version: return "wrong protocol version";
    case ReplyError::wrong_packet_type: return "not a reply";
    case ReplyError::wrong_command: return "not a TRACKING reply";
    case ReplyError::wrong_sequence: return "wrong sequence number";
    case ReplyError::error_status: return "error status";
    case ReplyError::wrong_reply_code: return "unexpected reply code";
    }
    return "?";
}

std::string ChronyTracking::reference_name() const {
    if (!ref_ip.empty()) return ref_ip;
    // A reference clock's refid: up to four ASCII characters, NUL-padded ("GPS\0").
    std::string name;
    for (int shift = 24; shift >= 0; shift -= 8) {
        const auto c = static_cast<unsigned char>(ref_id >> shift);
        if (std::isprint(c) != 0) name += static_cast<char>(c);
    }
    return name;
}

std::vector<std::byte> encode_tracking_request(std::uint32_t sequence, std::uint16_t attempt) {
    Writer w(chrony::tracking_request_size);  // the padding stays zero
    w.u8(0, chrony::protocol_version);
    w.u8(1, chrony::packet_type_request);
    w.u16(4, chrony::command_tracking);
    w.u16(6, attempt);
    w.u32(8, sequence);
    return w.take();
}

TrackingReply parse_tracking_reply(std::span<const std::byte> datagram,
                                   std::uint32_t expected_sequence) {
    if (datagram.size() < chrony::reply_header_size)
        return refuse(ReplyError::too_short,
                      std::to_string(datagram.size()) + " octets, a reply header has 28");
    const Reader r(datagram);
    if (r.u8(at::version) != chrony::protocol_version)
        return refuse(ReplyError::wrong_version,
                      "protocol version " + std::to_string(r.u8(at::version)) + ", expected 6");
    if (r.u8(at::packet_type) != chrony::packet_type_reply)
        return refuse(ReplyError::wrong_packet_type,
                      "packet type " + std::to_string(r.u8(at::packet_type)));
    if (r.u16(at::command) != chrony::command_tracking)
        return refuse(ReplyError::wrong_command, "command " + std::to_string(r.u16(at::command)));
    if (r.u32(at::sequence) != expected_sequence)
        return refuse(ReplyError::wrong_sequence,
                      "sequence " + std::to_string(r.u32(at::sequence)) + ", expected " +
                          std::to_string(expected_sequence));
    // An error reply carries only the header, so its status is checked before its length.
    if (const auto status = r.u16(at::status); status != chrony::status_success)
        return refuse(ReplyError::error_status,
                      "chronyd status " + std::to_string(status) + " (" +
                          std::string(chrony::status_name(status)) + ")",
                      status);
    if (r.u16(at::reply) != chrony::reply_tracking)
        return refuse(ReplyError::wrong_reply_code, "reply code " + std::to_string(r.u16(at::reply)));
    if (datagram.size() < chrony::tracking_reply_size)
        return refuse(ReplyError::too_short, std::to_string(datagram.size()) +
                                                 " octets, a TRACKING reply has 104");

    ChronyTracking t;
    t.ref_id = r.u32(at::ref_id);
    t.ref_ip = address_text(r);
    t.stratum = r.u16(at::stratum);
    t.leap_status = r.u16(at::leap);
    t.ref_time_us = chrony::decode_timespec(r.u32(at::ref_time), r.u32(at::ref_time + 4),
                                            r.u32(at::ref_time + 8));
    t.current_correction_s = r.f(at::floats + 0);
    t.last_offset_s = r.f(at::floats + 4);
    t.rms_offset_s = r.f(at::floats + 8);
    t.freq_ppm = r.f(at::floats + 12);
    t.resid_freq_ppm = r.f(at::floats + 16);
    t.skew_ppm = r.f(at::floats + 20);
    t.root_delay_s = r.f(at::floats + 24);
    t.root_dispersion_s = r.f(at::floats + 28);
    t.last_update_interval_s = r.f(at::floats + 32);
    TrackingReply out;
    out.tracking = std::move(t);
    return out;
}

std::vector<std::byte> encode_tracking_reply(const ChronyTracking& t, std::uint32_t sequence) {
    Writer w(chrony::tracking_reply_size);
    w.u8(at::version, chrony::protocol_version);
    w.u8(at::packet_type, chrony::packet_type_reply);
    w.u16(at::command, chrony::command_tracking);
    w.u16(at::reply, chrony::reply_tracking);
    w.u16(at::status, chrony::status_success);
    w.u32(at::sequence, sequence);
    w.u32(at::ref_id, t.ref_id);
    std::array<unsigned char, 16> raw{};
    if (::inet_pton(AF_INET, t.ref_ip.c_str(), raw.data()) == 1) {
        for (std::size_t i = 0; i < 4; ++i) w.u8(at::address + i, raw[i]);
        w.u16(at::family, chrony::family_inet4);
    } else if (::inet_pton(AF_INET6, t.ref_ip.c_str(), raw.data()) == 1) {
        for (std::size_t i = 0; i < 16; ++i) w.u8(at::address + i, raw[i]);
        w.u16(at::family, chrony::family_inet6);
    }
    w.u16(at::stratum, t.stratum);
    w.u16(at::leap, t.leap_status);
    const std::int64_t seconds = t.ref_time_us / 1'000'000;
    w.u32(at::ref_time, static_cast<std::uint32_t>(static_cast<std::uint64_t>(seconds) >> 32));
    w.u32(at::ref_time + 4, static_cast<std::uint32_t>(seconds));
    w.u32(at::ref_time + 8, static_cast<std::uint32_t>(t.ref_time_us % 1'000'000 * 1000));
    const double floats[] = {t.current_correction_s, t.last_offset_s, t.rms_offset_s,
                             t.freq_ppm,             t.resid_freq_ppm, t.skew_ppm,
                             t.root_delay_s,         t.root_dispersion_s,
                             t.last_update_interval_s};
    for (std::size_t i = 0; i < 9; ++i) w.f(at::floats + 4 * i, floats[i]);
    return w.take();
}

}  // namespace gridgate::timesync
