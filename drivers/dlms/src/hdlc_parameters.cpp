// HDLC parameter negotiation (IEC 62056-46 6.4.4.4.3.2, ISO/IEC 13239 5.5.3.2): the
// information field of SNRM and UA, and what the client settles on after the UA.
#include <algorithm>

#include "gridgate/dlms/hdlc.hpp"

namespace gridgate::dlms {

namespace {

constexpr std::uint8_t format_identifier = 0x81;
constexpr std::uint8_t parameter_group = 0x80;
constexpr std::uint8_t max_info_tx_id = 0x05;
constexpr std::uint8_t max_info_rx_id = 0x06;
constexpr std::uint8_t window_tx_id = 0x07;
constexpr std::uint8_t window_rx_id = 0x08;
constexpr std::uint8_t max_window = 7;  // modulo-8 sequence numbers

void put_parameter(std::vector<std::uint8_t>& out, std::uint8_t id, std::uint32_t value, std::size_t octets) {
    out.push_back(id);
    out.push_back(static_cast<std::uint8_t>(octets));
    for (std::size_t i = octets; i-- > 0;) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

std::uint64_t get_be(std::span<const std::uint8_t> v) {
    std::uint64_t x = 0;
    for (const std::uint8_t b : v) x = x << 8 | b;
    return x;
}

// One parameter of the 0x80 group into `p`; false when its length or value is not allowed.
bool apply(HdlcParameters& p, std::uint8_t id, std::span<const std::uint8_t> value) {
    switch (id) {
        case max_info_tx_id:
        case max_info_rx_id: {
            if (value.size() != 1 && value.size() != 2 && value.size() != 4) return false;
            const std::uint64_t v = get_be(value);
            if (v == 0) return false;
            const auto len = static_cast<std::uint16_t>(std::min<std::uint64_t>(v, 0xFFFF));
            (id == max_info_tx_id ? p.max_info_tx : p.max_info_rx) = len;
            return true;
        }
        case window_tx_id:
        case window_rx_id: {
            if (value.empty() || value.size() > 4) return false;
            const std::uint64_t v = get_be(value);
            if (v == 0) return false;
            const auto w = static_cast<std::uint8_t>(std::min<std::uint64_t>(v, max_window));
            (id == window_tx_id ? p.window_tx : p.window_rx) = w;
            return true;
        }
        default:
            return true;  // a parameter we do not negotiate: skipped
    }
}

}  // namespace

std::vector<std::uint8_t> encode_parameters(const HdlcParameters& p) {
    const auto info_octets = [](std::uint16_t v) -> std::size_t { return v > 0xFF ? 2 : 1; };
    std::vector<std::uint8_t> out{format_identifier, parameter_group, 0};
    put_parameter(out, max_info_tx_id, p.max_info_tx, info_octets(p.max_info_tx));
    put_parameter(out, max_info_rx_id, p.max_info_rx, info_octets(p.max_info_rx));
    put_parameter(out, window_tx_id, p.window_tx, 4);
    put_parameter(out, window_rx_id, p.window_rx, 4);
    out[2] = static_cast<std::uint8_t>(out.size() - 3);
    return out;
}

std::optional<HdlcParameters> decode_parameters(std::span<const std::uint8_t> info) {
    HdlcParameters p;
    if (info.empty()) return p;
    if (info.size() < 3 || info[0] != format_identifier || info[1] != parameter_group) return std::nullopt;
    const std::size_t group_end = 3 + std::size_t{info[2]};
    if (group_end > info.size()) return std::nullopt;

    for (std::size_t at = 3; at < group_end;) {
        if (group_end - at < 2) return std::nullopt;
        const std::uint8_t id = info[at];
        const std::size_t len = info[at + 1];
        if (len > group_end - at - 2) return std::nullopt;
        if (!apply(p, id, info.subspan(at + 2, len))) return std::nullopt;
        at += 2 + len;
    }
    // Other groups (ISO/IEC 13239 allows e.g. a user data subfield) are not DLMS's: skipped,
    // but they must still be well formed, or the field is not what it claims to be.
    for (std::size_t at = group_end; at < info.size();) {
        if (info.size() - at < 2) return std::nullopt;
        const std::size_t len = info[at + 1];
        if (len > info.size() - at - 2) return std::nullopt;
        at += 2 + len;
    }
    return p;
}

HdlcParameters negotiate(const HdlcParameters& client_proposal, const HdlcParameters& server_answer) {
    HdlcParameters r;
    r.max_info_tx = std::min(client_proposal.max_info_tx, server_answer.max_info_rx);
    r.max_info_rx = std::min(client_proposal.max_info_rx, server_answer.max_info_tx);
    r.window_tx = std::min(client_proposal.window_tx, server_answer.window_rx);
    r.window_rx = std::min(client_proposal.window_rx, server_answer.window_tx);
    return r;
}

}  // namespace gridgate::dlms
