// DNP3 data link layer, FT3 frame format (IEEE 1815 §9.2): encoding and a streaming
// parser that resynchronises after noise.
#include "gridgate/dnp3/link.hpp"

#include <algorithm>
#include <stdexcept>

#include "codec_wire.hpp"

namespace gridgate::dnp3 {

namespace {

constexpr std::uint8_t start1 = 0x05;
constexpr std::uint8_t start2 = 0x64;
constexpr std::size_t header_size = 10;  // start, LEN, CTRL, DEST, SRC, CRC
constexpr std::size_t block_size = 16;
constexpr std::size_t min_len = 5;       // CTRL + DEST + SRC

constexpr std::uint8_t dir_bit = 0x80;
constexpr std::uint8_t prm_bit = 0x40;
constexpr std::uint8_t fcb_bit = 0x20;
constexpr std::uint8_t fcv_bit = 0x10;

// Octets on the wire of a frame carrying `user` octets of user data.
std::size_t wire_size(std::size_t user) { return header_size + user + 2 * ((user + block_size - 1) / block_size); }

bool crc_ok(std::span<const std::uint8_t> block, std::span<const std::uint8_t> crc) {
    const std::uint16_t c = crc16(block);
    return crc[0] == static_cast<std::uint8_t>(c & 0xFF) && crc[1] == static_cast<std::uint8_t>(c >> 8);
}

bool header_ok(std::span<const std::uint8_t> h) {
    return h[0] == start1 && h[1] == start2 && crc_ok(h.first(8), h.subspan(8, 2));
}

// Checks the block CRCs of a complete frame whose header is valid and copies the user data.
bool take_body(std::span<const std::uint8_t> frame, std::vector<std::uint8_t>& user) {
    const std::size_t n = frame[2] - min_len;
    user.clear();
    user.reserve(n);
    std::size_t at = header_size;
    for (std::size_t done = 0; done < n;) {
        const std::size_t len = std::min(block_size, n - done);
        const auto block = frame.subspan(at, len);
        if (!crc_ok(block, frame.subspan(at + len, 2))) return false;
        user.insert(user.end(), block.begin(), block.end());
        done += len;
        at += len + 2;
    }
    return true;
}

LinkHeader header_of(std::span<const std::uint8_t> frame) {
    return LinkHeader::from_control(frame[3], static_cast<std::uint16_t>(wire::get_le(frame, 4, 2)),
                                    static_cast<std::uint16_t>(wire::get_le(frame, 6, 2)));
}

const char* primary_name(std::uint8_t f) {
    switch (f) {
        case 0: return "RESET_LINK_STATES";
        case 2: return "TEST_LINK_STATES";
        case 3: return "CONFIRMED_USER_DATA";
        case 4: return "UNCONFIRMED_USER_DATA";
        case 9: return "REQUEST_LINK_STATUS";
        default: return nullptr;
    }
}

const char* secondary_name(std::uint8_t f) {
    switch (f) {
        case 0: return "ACK";
        case 1: return "NACK";
        case 11: return "LINK_STATUS";
        case 15: return "NOT_SUPPORTED";
        default: return nullptr;
    }
}

}  // namespace

std::uint8_t LinkHeader::control() const {
    std::uint8_t c = function & 0x0F;
    if (dir) c |= dir_bit;
    if (prm) c |= prm_bit;
    if (fcb) c |= fcb_bit;
    if (fcv) c |= fcv_bit;
    return c;
}

LinkHeader LinkHeader::from_control(std::uint8_t ctrl, std::uint16_t destination, std::uint16_t source) {
    LinkHeader h;
    h.dir = (ctrl & dir_bit) != 0;
    h.prm = (ctrl & prm_bit) != 0;
    h.fcb = (ctrl & fcb_bit) != 0;
    h.fcv = (ctrl & fcv_bit) != 0;
    h.function = ctrl & 0x0F;
    h.destination = destination;
    h.source = source;
    return h;
}

std::vector<std::uint8_t> encode_link_frame(const LinkHeader& header, std::span<const std::uint8_t> user_data) {
    if (user_data.size() > max_link_user_data)
        throw std::invalid_argument("DNP3 link frame user data over 250 octets");
    std::vector<std::uint8_t> out;
    out.reserve(wire_size(user_data.size()));
    wire::put_u8(out, start1);
    wire::put_u8(out, start2);
    wire::put_u8(out, static_cast<std::uint8_t>(min_len + user_data.size()));
    wire::put_u8(out, header.control());
    wire::put_u16(out, header.destination);
    wire::put_u16(out, header.source);
    wire::put_u16(out, crc16(std::span<const std::uint8_t>(out).first(8)));
    for (std::size_t at = 0; at < user_data.size(); at += block_size) {
        const auto block = user_data.subspan(at, std::min(block_size, user_data.size() - at));
        out.insert(out.end(), block.begin(), block.end());
        wire::put_u16(out, crc16(block));
    }
    return out;
}

LinkHeader primary_header(PrimaryFunction f, std::uint16_t destination, std::uint16_t source, bool from_master,
                          bool fcb, bool fcv) {
    LinkHeader h;
    h.dir = from_master;
    h.prm = true;
    h.fcb = fcb;
    h.fcv = fcv;
    h.function = static_cast<std::uint8_t>(f);
    h.destination = destination;
    h.source = source;
    return h;
}

LinkHeader secondary_header(SecondaryFunction f, std::uint16_t destination, std::uint16_t source, bool from_master,
                            bool dfc) {
    LinkHeader h;
    h.dir = from_master;
    h.prm = false;
    h.fcb = false;
    h.fcv = dfc;
    h.function = static_cast<std::uint8_t>(f);
    h.destination = destination;
    h.source = source;
    return h;
}

std::string describe(const LinkHeader& header, std::size_t user_data_size) {
    std::string s = header.prm ? "PRM " : "SEC ";
    const char* name = header.prm ? primary_name(header.function) : secondary_name(header.function);
    s += name ? name : "FUNC_" + std::to_string(header.function);
    s += " dst=" + std::to_string(header.destination) + " src=" + std::to_string(header.source);
    if (header.dir) s += " DIR";
    if (header.fcb) s += " FCB";
    if (header.fcv) s += header.prm ? " FCV" : " DFC";
    s += " len=" + std::to_string(user_data_size);
    return s;
}

// The buffer holds at most one frame: the start octets, then the header, then (once the
// header CRC has been checked and LEN is known) the rest of that frame. A rejected frame
// is not thrown away whole: its octets after the first are scanned again for 0x05 0x64,
// because a burst of noise that happened to contain the start octets must not swallow the
// real frame that follows it.
void LinkParser::feed(std::span<const std::uint8_t> bytes, std::vector<LinkFrame>& out) {
    std::vector<std::uint8_t> rescan;  // octets of a rejected frame, ahead of `bytes`
    std::size_t rescan_at = 0;
    std::size_t at = 0;
    while (rescan_at < rescan.size() || at < bytes.size()) {
        const std::uint8_t b = rescan_at < rescan.size() ? rescan[rescan_at++] : bytes[at++];

        if (buffer_.empty()) {
            if (b == start1) buffer_.push_back(b);
            else ++stats_.garbage_bytes;
            continue;
        }
        if (buffer_.size() == 1) {
            if (b == start2) {
                buffer_.push_back(b);
            } else if (b == start1) {
                ++stats_.garbage_bytes;  // the earlier 0x05; this one may start a frame
            } else {
                stats_.garbage_bytes += 2;
                buffer_.clear();
            }
            continue;
        }

        buffer_.push_back(b);
        bool reject = false;
        if (buffer_.size() == header_size) {
            if (buffer_[2] < min_len) {
                ++stats_.bad_length;
                reject = true;
            } else if (!header_ok(buffer_)) {
                ++stats_.header_crc_errors;
                reject = true;
            }
        }
        if (!reject && buffer_.size() >= header_size && buffer_.size() == wire_size(buffer_[2] - min_len)) {
            LinkFrame frame;
            if (take_body(buffer_, frame.user_data)) {
                frame.header = header_of(buffer_);
                out.push_back(std::move(frame));
                ++stats_.frames;
                buffer_.clear();
                continue;
            }
            ++stats_.body_crc_errors;
            reject = true;
        }
        if (reject) {
            // Octets still to be rescanned come after the ones in the buffer.
            std::vector<std::uint8_t> next(buffer_.begin() + 1, buffer_.end());
            next.insert(next.end(), rescan.begin() + static_cast<std::ptrdiff_t>(rescan_at), rescan.end());
            rescan = std::move(next);
            rescan_at = 0;
            buffer_.clear();
            ++stats_.garbage_bytes;  // the rejected frame's 0x05
        }
    }
}

void LinkParser::reset() { buffer_.clear(); }

bool LinkParser::in_frame() const { return !buffer_.empty(); }

std::optional<LinkFrame> parse_link_frame(std::span<const std::uint8_t> frame) {
    if (frame.size() < header_size || frame[2] < min_len || !header_ok(frame)) return std::nullopt;
    if (frame.size() != wire_size(frame[2] - min_len)) return std::nullopt;
    LinkFrame f;
    if (!take_body(frame, f.user_data)) return std::nullopt;
    f.header = header_of(frame);
    return f;
}

}  // namespace gridgate::dnp3
