// Fuzz target for the DNP3 data link parser: whatever a serial line or a TCP stream
// delivers, in whatever chunks, LinkParser must neither crash nor keep more than one frame,
// and must find the same frames however the octets are split.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gridgate/dnp3/link.hpp"

using namespace gridgate::dnp3;

namespace {
void check(bool ok) {
    if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);

    // The whole input at once.
    LinkParser whole;
    std::vector<LinkFrame> expected;
    whole.feed(bytes, expected);

    // The same octets in chunks whose sizes the input itself chooses (1..32 octets).
    LinkParser chunked;
    std::vector<LinkFrame> frames;
    std::size_t at = 0;
    std::size_t pick = 0;
    while (at < size) {
        const std::size_t n = std::min<std::size_t>(size - at, 1 + data[pick++ % size] % 32);
        chunked.feed(bytes.subspan(at, n), frames);
        at += n;
    }
    check(frames == expected);
    check(whole.stats().frames == expected.size());

    // Every frame found re-encodes to octets the one-frame parser gives back unchanged.
    for (const auto& f : expected) {
        check(f.user_data.size() <= max_link_user_data);
        const auto wire = encode_link_frame(f.header, f.user_data);
        check(wire.size() <= max_link_frame);
        const auto again = parse_link_frame(wire);
        check(again && *again == f);
        (void)describe(f.header, f.user_data.size());
    }

    // The input as exactly one frame: if it is one, it is the canonical encoding of itself.
    if (const auto one = parse_link_frame(bytes)) {
        const auto wire = encode_link_frame(one->header, one->user_data);
        check(std::span<const std::uint8_t>(wire).size() == size &&
              std::equal(wire.begin(), wire.end(), bytes.begin()));
    }
    return 0;
}
