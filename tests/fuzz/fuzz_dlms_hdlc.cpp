// Fuzz target for the DLMS link layer: whatever a serial line or a TCP stream delivers, in
// whatever chunks, HdlcParser must neither crash nor hold more than one frame, must find
// the same frames however the octets are split, and every frame it finds must encode back
// to octets that parse to the same frame. The TCP wrapper parser gets the same treatment,
// and the input is also read as an SNRM/UA parameter field.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gridgate/dlms/hdlc.hpp"
#include "gridgate/dlms/wrapper.hpp"

using namespace gridgate::dlms;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

// Feeds `bytes` in chunks of 1..32 octets whose sizes the input itself chooses.
template <typename Parser, typename Item>
std::vector<Item> feed_chunked(Parser& parser, std::span<const std::uint8_t> bytes, std::size_t& most_buffered) {
    std::vector<Item> out;
    std::size_t at = 0;
    std::size_t pick = 0;
    while (at < bytes.size()) {
        const std::size_t n = std::min<std::size_t>(bytes.size() - at, 1 + bytes[pick++ % bytes.size()] % 32);
        auto got = parser.feed(bytes.subspan(at, n));
        out.insert(out.end(), got.begin(), got.end());
        at += n;
        if constexpr (requires(const Parser& q) { q.buffered(); })
            most_buffered = std::max(most_buffered, parser.buffered());
    }
    return out;
}

void hdlc(std::span<const std::uint8_t> bytes) {
    HdlcParser whole;
    const auto expected = whole.feed(bytes);
    check(whole.buffered() <= max_hdlc_frame_length + 2);

    HdlcParser chunked;
    std::size_t most = 0;
    const auto frames = feed_chunked<HdlcParser, HdlcFrame>(chunked, bytes, most);
    check(frames == expected);
    check(most <= max_hdlc_frame_length + 2);
    check(whole.stats().frames == expected.size());
    check(chunked.stats().frames == whole.stats().frames);
    check(chunked.stats().hcs_errors == whole.stats().hcs_errors);
    check(chunked.stats().fcs_errors == whole.stats().fcs_errors);
    check(chunked.stats().malformed == whole.stats().malformed);
    check(chunked.stats().discarded_octets == whole.stats().discarded_octets);

    for (const auto& f : expected) {
        const auto wire = encode_frame(f);  // a frame that parsed always fits and encodes
        check(wire.size() <= max_hdlc_frame_length + 2);
        const auto one = decode_frame(wire);
        check(one && *one == f);
        HdlcParser again;
        const auto back = again.feed(wire);
        check(back.size() == 1 && back.front() == f);
        check(again.stats().discarded_octets == 0);
        (void)describe(f);
        if (f.control.type == FrameType::snrm || f.control.type == FrameType::ua) {
            if (const auto p = decode_parameters(f.info)) check(decode_parameters(encode_parameters(*p)) == *p);
        }
    }

    // The input as exactly one frame: if it is one, it is the canonical encoding of itself.
    if (const auto one = decode_frame(bytes)) {
        const auto wire = encode_frame(*one);
        check(wire.size() == bytes.size() && std::equal(wire.begin(), wire.end(), bytes.begin()));
    }
}

void wrapper(std::span<const std::uint8_t> bytes) {
    WrapperParser whole(2048);
    const auto expected = whole.feed(bytes);

    WrapperParser chunked(2048);
    std::size_t unused = 0;
    const auto pdus = feed_chunked<WrapperParser, WrapperPdu>(chunked, bytes, unused);
    check(pdus == expected);
    check(chunked.failed() == whole.failed());

    // Re-encoding every PDU found gives the octets it came from, in order.
    std::vector<std::uint8_t> wire;
    for (const auto& p : expected) {
        check(p.apdu.size() <= 2048);
        const auto one = encode_wrapper(p.source, p.destination, p.apdu);
        wire.insert(wire.end(), one.begin(), one.end());
    }
    check(wire.size() <= bytes.size() && std::equal(wire.begin(), wire.end(), bytes.begin()));
    WrapperParser again;
    check(again.feed(wire) == expected);
}

void parameters(std::span<const std::uint8_t> bytes) {
    const auto p = decode_parameters(bytes);
    if (!p) return;
    check(p->max_info_tx > 0 && p->max_info_rx > 0);
    check(p->window_tx >= 1 && p->window_tx <= 7 && p->window_rx >= 1 && p->window_rx <= 7);
    check(decode_parameters(encode_parameters(*p)) == *p);
    const auto n = negotiate(HdlcParameters{}, *p);
    check(n.max_info_tx <= 128 && n.max_info_rx <= 128 && n.window_tx == 1 && n.window_rx == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    hdlc(bytes);
    wrapper(bytes);
    parameters(bytes);
    return 0;
}
