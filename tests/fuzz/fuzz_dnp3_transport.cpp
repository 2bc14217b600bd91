// Fuzz target for DNP3 transport reassembly: the input is a sequence of segments, each
// "length octet, then that many octets", pushed into a Reassembler whose size limit the
// first octet chooses. Fragments must stay within the limit; segmenting and reassembling
// the input itself must give it back.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gridgate/dnp3/transport.hpp"

using namespace gridgate::dnp3;

namespace {
void check(bool ok) {
    if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::span<const std::uint8_t> bytes(data, size);

    const std::size_t limit = 1 + std::size_t{data[0]} * 8;  // 1..2041
    Reassembler r(limit);
    std::uint64_t completed = 0;
    for (std::size_t at = 1; at < size;) {
        const std::size_t n = std::min<std::size_t>(data[at], size - at - 1);
        const auto result = r.push(bytes.subspan(at + 1, n));
        at += 1 + n;
        if (result == Reassembler::Result::complete) {
            const auto fragment = r.take();
            check(!fragment.empty() && fragment.size() <= limit);
            ++completed;
        }
    }
    const auto& s = r.stats();
    check(s.fragments == completed);
    check(s.fragments + s.discarded_segments + s.duplicates <= s.segments);

    // Segmentation round trip of the input as a fragment.
    std::uint8_t seq = data[0];
    const auto segments = segment_fragment(bytes, seq);
    check(seq == ((data[0] + segments.size()) & 0x3F));
    Reassembler back(size);
    for (std::size_t i = 0; i < segments.size(); ++i) {
        check(segments[i].size() >= 2 && segments[i].size() <= 1 + max_segment_payload);
        const auto result = back.push(segments[i]);
        check(result == (i + 1 == segments.size() ? Reassembler::Result::complete : Reassembler::Result::incomplete));
    }
    const auto fragment = back.take();
    check(fragment.size() == size && std::equal(fragment.begin(), fragment.end(), bytes.begin()));
    return 0;
}
