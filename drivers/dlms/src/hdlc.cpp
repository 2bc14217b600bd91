// DLMS/COSEM HDLC frames (IEC 62056-46, ISO/IEC 13239 frame format type 3): check
// sequence, addresses, control field, and the encoding and decoding of one frame.
#include "gridgate/dlms/hdlc.hpp"

#include <array>
#include <stdexcept>

#include "hdlc_layout.hpp"

namespace gridgate::dlms {

namespace {

constexpr std::uint8_t format_type3 = 0xA0;
constexpr std::uint8_t format_type_mask = 0xF0;
constexpr std::uint8_t segmentation_bit = 0x08;
constexpr std::uint8_t poll_final_bit = 0x10;

// CRC-16/X.25 one octet at a time: the reflected polynomial 0x8408, precomputed.
constexpr std::array<std::uint16_t, 256> make_fcs_table() {
    std::array<std::uint16_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t v = i;
        for (int bit = 0; bit < 8; ++bit) v = (v & 1) ? (v >> 1) ^ 0x8408 : v >> 1;
        table[i] = static_cast<std::uint16_t>(v);
    }
    return table;
}
constexpr auto fcs_table = make_fcs_table();

void put_le16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
}

// The address octets, or false when the address cannot be written (no exception, so that
// describe() can use it on whatever a caller built).
bool address_octets(const HdlcAddress& a, std::vector<std::uint8_t>& out) {
    switch (a.octets) {
        case 1:
            if (a.upper > 0x7F || a.lower != 0) return false;
            out.push_back(static_cast<std::uint8_t>(a.upper << 1 | 1));
            return true;
        case 2:
            if (a.upper > 0x7F || a.lower > 0x7F) return false;
            out.push_back(static_cast<std::uint8_t>(a.upper << 1));
            out.push_back(static_cast<std::uint8_t>(a.lower << 1 | 1));
            return true;
        case 4:
            // 14 bits each, split 7 + 7 over two octets, most significant first.
            if (a.upper > 0x3FFF || a.lower > 0x3FFF) return false;
            out.push_back(static_cast<std::uint8_t>((a.upper >> 7) << 1));
            out.push_back(static_cast<std::uint8_t>((a.upper & 0x7F) << 1));
            out.push_back(static_cast<std::uint8_t>((a.lower >> 7) << 1));
            out.push_back(static_cast<std::uint8_t>((a.lower & 0x7F) << 1 | 1));
            return true;
        default:
            return false;
    }
}

// How many octets the address at the start of `data` takes: the low bit ends it.
detail::Scan address_length(std::span<const std::uint8_t> data, std::size_t& octets) {
    for (std::size_t i = 0; i < 4; ++i) {
        if (i >= data.size()) return detail::Scan::need_more;
        if (data[i] & 1) {
            octets = i + 1;
            return octets == 3 ? detail::Scan::bad : detail::Scan::ok;
        }
    }
    return detail::Scan::bad;
}

std::size_t checked_octets(const HdlcAddress& a) {
    if (a.octets != 1 && a.octets != 2 && a.octets != 4)
        throw std::invalid_argument("HDLC address must be 1, 2 or 4 octets");
    return a.octets;
}

}  // namespace

std::uint16_t fcs16(std::span<const std::uint8_t> data) {
    std::uint16_t fcs = 0xFFFF;
    for (const std::uint8_t b : data) fcs = static_cast<std::uint16_t>((fcs >> 8) ^ fcs_table[(fcs ^ b) & 0xFF]);
    return static_cast<std::uint16_t>(fcs ^ 0xFFFF);
}

std::vector<std::uint8_t> encode_address(const HdlcAddress& address) {
    std::vector<std::uint8_t> out;
    if (!address_octets(address, out))
        throw std::invalid_argument("HDLC address " + std::to_string(address.upper) + "/" +
                                    std::to_string(address.lower) + " does not fit in " +
                                    std::to_string(address.octets) + " octet(s)");
    return out;
}

std::optional<std::pair<HdlcAddress, std::size_t>> decode_address(std::span<const std::uint8_t> data) {
    std::size_t n = 0;
    if (address_length(data, n) != detail::Scan::ok) return std::nullopt;
    HdlcAddress a;
    a.octets = static_cast<std::uint8_t>(n);
    switch (n) {
        case 1: a.upper = data[0] >> 1; break;
        case 2:
            a.upper = data[0] >> 1;
            a.lower = data[1] >> 1;
            break;
        default:
            a.upper = static_cast<std::uint16_t>((data[0] >> 1) << 7 | data[1] >> 1);
            a.lower = static_cast<std::uint16_t>((data[2] >> 1) << 7 | data[3] >> 1);
            break;
    }
    return std::pair{a, n};
}

const char* to_string(FrameType t) {
    switch (t) {
        case FrameType::i: return "I";
        case FrameType::rr: return "RR";
        case FrameType::rnr: return "RNR";
        case FrameType::snrm: return "SNRM";
        case FrameType::disc: return "DISC";
        case FrameType::ua: return "UA";
        case FrameType::dm: return "DM";
        case FrameType::frmr: return "FRMR";
        case FrameType::ui: return "UI";
    }
    return "?";
}

std::uint8_t HdlcControl::encode() const {
    const std::uint8_t pf = poll_final ? poll_final_bit : 0;
    const auto nr_bits = static_cast<std::uint8_t>((nr & 7) << 5);
    switch (type) {
        case FrameType::i: return static_cast<std::uint8_t>(nr_bits | pf | (ns & 7) << 1);
        case FrameType::rr: return static_cast<std::uint8_t>(nr_bits | pf | 0x01);
        case FrameType::rnr: return static_cast<std::uint8_t>(nr_bits | pf | 0x05);
        case FrameType::snrm: return static_cast<std::uint8_t>(0x83 | pf);
        case FrameType::disc: return static_cast<std::uint8_t>(0x43 | pf);
        case FrameType::ua: return static_cast<std::uint8_t>(0x63 | pf);
        case FrameType::dm: return static_cast<std::uint8_t>(0x0F | pf);
        case FrameType::frmr: return static_cast<std::uint8_t>(0x87 | pf);
        case FrameType::ui: return static_cast<std::uint8_t>(0x03 | pf);
    }
    return 0;
}

std::optional<HdlcControl> HdlcControl::decode(std::uint8_t control) {
    HdlcControl c;
    c.poll_final = (control & poll_final_bit) != 0;
    if ((control & 0x01) == 0) {
        c.type = FrameType::i;
        c.ns = (control >> 1) & 7;
        c.nr = control >> 5;
        return c;
    }
    if ((control & 0x03) == 0x01) {  // supervisory: RR and RNR; REJ and SREJ are not DLMS
        switch (control & 0x0F) {
            case 0x01: c.type = FrameType::rr; break;
            case 0x05: c.type = FrameType::rnr; break;
            default: return std::nullopt;
        }
        c.nr = control >> 5;
        return c;
    }
    switch (static_cast<std::uint8_t>(control & ~poll_final_bit)) {
        case 0x83: c.type = FrameType::snrm; break;
        case 0x43: c.type = FrameType::disc; break;
        case 0x63: c.type = FrameType::ua; break;
        case 0x0F: c.type = FrameType::dm; break;
        case 0x87: c.type = FrameType::frmr; break;
        case 0x03: c.type = FrameType::ui; break;
        default: return std::nullopt;
    }
    return c;
}

std::vector<std::uint8_t> encode_frame(const HdlcFrame& frame) {
    std::vector<std::uint8_t> destination = encode_address(frame.destination);
    std::vector<std::uint8_t> source = encode_address(frame.source);
    const std::size_t header = 2 + destination.size() + source.size() + 1;
    const std::size_t length = header + (frame.info.empty() ? 0 : 2 + frame.info.size()) + 2;
    if (length > max_hdlc_frame_length)
        throw std::invalid_argument("HDLC frame of " + std::to_string(length) + " octets over the 2047 limit");

    std::vector<std::uint8_t> out;
    out.reserve(length + 2);
    out.push_back(hdlc_flag);
    out.push_back(static_cast<std::uint8_t>(format_type3 | (frame.segmented ? segmentation_bit : 0) | length >> 8));
    out.push_back(static_cast<std::uint8_t>(length & 0xFF));
    out.insert(out.end(), destination.begin(), destination.end());
    out.insert(out.end(), source.begin(), source.end());
    out.push_back(frame.control.encode());
    if (!frame.info.empty()) {
        put_le16(out, fcs16(std::span<const std::uint8_t>(out).subspan(1)));
        out.insert(out.end(), frame.info.begin(), frame.info.end());
    }
    put_le16(out, fcs16(std::span<const std::uint8_t>(out).subspan(1)));
    out.push_back(hdlc_flag);
    return out;
}

std::optional<HdlcFrame> decode_frame(std::span<const std::uint8_t> wire) {
    if (wire.size() < detail::min_frame_length + 2 || wire.front() != hdlc_flag || wire.back() != hdlc_flag)
        return std::nullopt;
    const auto body = wire.subspan(1);
    detail::FrameLayout layout;
    if (detail::scan_layout(body, layout) != detail::Scan::ok || layout.length + 1 != body.size())
        return std::nullopt;
    if (layout.info > 0 && !detail::check_sequence_ok(body.first(layout.header), body.subspan(layout.header, 2)))
        return std::nullopt;
    if (!detail::check_sequence_ok(body.first(layout.length - 2), body.subspan(layout.length - 2, 2)))
        return std::nullopt;
    return detail::frame_from_body(body, layout);
}

std::size_t frame_overhead(const HdlcAddress& destination, const HdlcAddress& source) {
    // Two flags, format field, addresses, control, HCS, FCS.
    return 2 + 2 + checked_octets(destination) + checked_octets(source) + 1 + 2 + 2;
}

std::string describe(const HdlcFrame& frame) {
    std::string s = to_string(frame.control.type);
    if (frame.control.type == FrameType::i) s += " N(S)=" + std::to_string(frame.control.ns & 7);
    if (frame.control.type == FrameType::i || frame.control.type == FrameType::rr ||
        frame.control.type == FrameType::rnr)
        s += " N(R)=" + std::to_string(frame.control.nr & 7);
    if (frame.control.poll_final) s += " P";
    const auto address = [&s](const char* label, const HdlcAddress& a) {
        s += label;
        std::vector<std::uint8_t> octets;
        if (!address_octets(a, octets)) {
            s += '?';
            return;
        }
        static constexpr char digits[] = "0123456789ABCDEF";
        for (std::size_t i = 0; i < octets.size(); ++i) {
            if (i > 0) s += ' ';
            s += digits[octets[i] >> 4];
            s += digits[octets[i] & 0x0F];
        }
    };
    address(" dst=", frame.destination);
    address(" src=", frame.source);
    if (frame.segmented) s += " seg";
    s += " info=" + std::to_string(frame.info.size());
    return s;
}

namespace detail {

Scan scan_layout(std::span<const std::uint8_t> body, FrameLayout& layout) {
    if (body.empty()) return Scan::need_more;
    if ((body[0] & format_type_mask) != format_type3) return Scan::bad;
    if (body.size() < 2) return Scan::need_more;
    layout.length = static_cast<std::size_t>(body[0] & 0x07) << 8 | body[1];
    if (layout.length < min_frame_length) return Scan::bad;

    const Scan d = address_length(body.subspan(2), layout.destination);
    if (d != Scan::ok) return d;
    const Scan s = address_length(body.subspan(2 + layout.destination), layout.source);
    if (s != Scan::ok) return s;
    layout.header = 2 + layout.destination + layout.source + 1;
    if (body.size() < layout.header) return Scan::need_more;

    // No info: the FCS alone follows the header. Info: HCS, at least one octet, FCS.
    if (layout.length == layout.header + 2) {
        layout.info = 0;
        return Scan::ok;
    }
    if (layout.length < layout.header + 5) return Scan::bad;
    layout.info = layout.length - layout.header - 4;
    return Scan::ok;
}

bool check_sequence_ok(std::span<const std::uint8_t> covered, std::span<const std::uint8_t> check) {
    const std::uint16_t fcs = fcs16(covered);
    return check[0] == (fcs & 0xFF) && check[1] == fcs >> 8;
}

std::optional<HdlcFrame> frame_from_body(std::span<const std::uint8_t> body, const FrameLayout& layout) {
    const auto control = HdlcControl::decode(body[layout.header - 1]);
    const auto destination = decode_address(body.subspan(2));
    const auto source = decode_address(body.subspan(2 + layout.destination));
    if (!control || !destination || !source) return std::nullopt;
    HdlcFrame f;
    f.destination = destination->first;
    f.source = source->first;
    f.control = *control;
    f.segmented = (body[0] & segmentation_bit) != 0;
    if (layout.info > 0) {
        const auto info = body.subspan(layout.header + 2, layout.info);
        f.info.assign(info.begin(), info.end());
    }
    return f;
}

}  // namespace detail

}  // namespace gridgate::dlms
