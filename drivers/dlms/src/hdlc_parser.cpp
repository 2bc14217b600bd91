// The streaming HDLC parser: finds frames in whatever a serial line or a TCP stream
// delivers, in whatever pieces, and drops noise and damaged frames without losing the
// good frames around them.
#include <algorithm>
#include <cstddef>

#include "gridgate/dlms/hdlc.hpp"
#include "hdlc_layout.hpp"

namespace gridgate::dlms {

namespace {

// Past this many octets (opening flag, the longest header, HCS) only the end of the frame
// is left to check.
constexpr std::size_t header_checked = 1 + detail::max_header_length + 2;

}  // namespace

// buffer_ is empty while hunting for a flag; otherwise it starts with the opening flag of
// a candidate frame and holds no more than that frame and its closing flag. Every octet is
// judged when it arrives, from the buffer alone, so the outcome does not depend on how
// the input was split. A candidate is rejected as soon as something is wrong (format,
// length, address, HCS) rather than after waiting for the length it claims, and its octets
// after the opening flag are scanned again.
std::vector<HdlcFrame> HdlcParser::feed(std::span<const std::uint8_t> data) {
    std::vector<HdlcFrame> out;
    // Octets of rejected candidates still to be scanned, ahead of `data`, kept last-first
    // so that a further rejection puts its octets in front without moving the others.
    std::vector<std::uint8_t> rescan;
    std::size_t at = 0;

    const auto reject = [&](std::uint64_t& counter) {
        ++counter;
        rescan.insert(rescan.end(), buffer_.rbegin(), buffer_.rend() - 1);
        buffer_.clear();
    };

    while (!rescan.empty() || at < data.size()) {
        if (buffer_.empty() && rescan.empty()) {
            // Hunting in the input: skip to the next flag in one step.
            const auto from = data.begin() + static_cast<std::ptrdiff_t>(at);
            const auto flag = std::find(from, data.end(), hdlc_flag);
            stats_.discarded_octets += static_cast<std::uint64_t>(flag - from);
            at = static_cast<std::size_t>(flag - data.begin());
            if (at == data.size()) break;
        }
        std::uint8_t b = 0;
        if (!rescan.empty()) {
            b = rescan.back();
            rescan.pop_back();
        } else {
            b = data[at++];
        }

        if (buffer_.empty()) {
            if (b == hdlc_flag) buffer_.push_back(b);
            else ++stats_.discarded_octets;
            continue;
        }
        if (buffer_.size() == 1) {
            if (b == hdlc_flag) continue;  // inter-frame fill: flags back to back
            if ((b & 0xF0) != 0xA0) {
                // Not a frame start: the line is idle or noisy after a flag.
                ++stats_.discarded_octets;
                buffer_.clear();
                continue;
            }
        }
        buffer_.push_back(b);
        if (buffer_.size() > header_checked) {
            // Header and HCS were checked on the way here: take the rest of the frame (but
            // its last octet) in one go from wherever the octets are coming from now.
            const std::size_t length = static_cast<std::size_t>(buffer_[1] & 0x07) << 8 | buffer_[2];
            const std::size_t end = length + 2;
            if (buffer_.size() + 1 < end) {
                const std::size_t want = end - 1 - buffer_.size();
                if (!rescan.empty()) {
                    const std::size_t n = std::min(want, rescan.size());
                    buffer_.insert(buffer_.end(), rescan.rbegin(), rescan.rbegin() + static_cast<std::ptrdiff_t>(n));
                    rescan.resize(rescan.size() - n);
                } else {
                    const std::size_t n = std::min(want, data.size() - at);
                    const auto from = data.begin() + static_cast<std::ptrdiff_t>(at);
                    buffer_.insert(buffer_.end(), from, from + static_cast<std::ptrdiff_t>(n));
                    at += n;
                }
            }
            if (buffer_.size() < end) continue;
        }

        const auto body = std::span<const std::uint8_t>(buffer_).subspan(1);
        detail::FrameLayout layout;
        const detail::Scan scan = detail::scan_layout(body, layout);
        if (scan == detail::Scan::bad) {
            reject(stats_.malformed);
            continue;
        }
        if (scan == detail::Scan::need_more) {
            // The length is known from the second octet on; the header must fit in it.
            if (body.size() >= 2 && body.size() >= layout.length + 1) reject(stats_.malformed);
            continue;
        }
        if (layout.info > 0 && body.size() == layout.header + 2 &&
            !detail::check_sequence_ok(body.first(layout.header), body.subspan(layout.header, 2))) {
            reject(stats_.hcs_errors);
            continue;
        }
        if (body.size() < layout.length + 1) continue;

        // The whole frame and the octet where its closing flag should be.
        if (body[layout.length] != hdlc_flag) {
            reject(stats_.malformed);
            continue;
        }
        if (!detail::check_sequence_ok(body.first(layout.length - 2), body.subspan(layout.length - 2, 2))) {
            reject(stats_.fcs_errors);
            continue;
        }
        auto frame = detail::frame_from_body(body, layout);
        if (!frame) {
            reject(stats_.malformed);
            continue;
        }
        out.push_back(std::move(*frame));
        ++stats_.frames;
        // The closing flag may open the next frame.
        buffer_.assign(1, hdlc_flag);
    }
    return out;
}

void HdlcParser::reset() { buffer_.clear(); }

}  // namespace gridgate::dlms
