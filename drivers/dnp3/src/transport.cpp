// DNP3 transport function (IEEE 1815 §8): segmentation and reassembly.
#include "gridgate/dnp3/transport.hpp"

#include <algorithm>
#include <stdexcept>

namespace gridgate::dnp3 {

namespace {
constexpr std::uint8_t fin_bit = 0x80;
constexpr std::uint8_t fir_bit = 0x40;
constexpr std::uint8_t seq_mask = 0x3F;
}  // namespace

std::uint8_t TransportHeader::encode() const {
    return static_cast<std::uint8_t>((fin ? fin_bit : 0) | (fir ? fir_bit : 0) | (seq & seq_mask));
}

TransportHeader TransportHeader::decode(std::uint8_t octet) {
    return TransportHeader{(octet & fin_bit) != 0, (octet & fir_bit) != 0, static_cast<std::uint8_t>(octet & seq_mask)};
}

std::vector<std::vector<std::uint8_t>> segment_fragment(std::span<const std::uint8_t> fragment,
                                                       std::uint8_t& next_seq) {
    if (fragment.empty()) throw std::invalid_argument("DNP3 transport: empty fragment");
    std::vector<std::vector<std::uint8_t>> segments;
    segments.reserve((fragment.size() + max_segment_payload - 1) / max_segment_payload);
    for (std::size_t at = 0; at < fragment.size(); at += max_segment_payload) {
        const std::size_t n = std::min(max_segment_payload, fragment.size() - at);
        const TransportHeader h{at + n == fragment.size(), at == 0, static_cast<std::uint8_t>(next_seq & seq_mask)};
        next_seq = static_cast<std::uint8_t>((next_seq + 1) & seq_mask);
        std::vector<std::uint8_t> segment;
        segment.reserve(1 + n);
        segment.push_back(h.encode());
        segment.insert(segment.end(), fragment.begin() + static_cast<std::ptrdiff_t>(at),
                       fragment.begin() + static_cast<std::ptrdiff_t>(at + n));
        segments.push_back(std::move(segment));
    }
    return segments;
}

Reassembler::Result Reassembler::push(std::span<const std::uint8_t> segment) {
    ++stats_.segments;
    // Every segment carries at least one octet of the fragment; a bare header is noise.
    if (segment.size() < 2) {
        ++stats_.discarded_segments;
        return Result::discarded;
    }
    const TransportHeader h = TransportHeader::decode(segment[0]);
    const auto payload = segment.subspan(1);

    // A link-layer retry (the confirm was lost) repeats the segment exactly; the first copy
    // is already in the fragment, or already delivered when it was the last one.
    if (!h.fir && have_last_ && segment[0] == last_header_ &&
        std::equal(payload.begin(), payload.end(), last_payload_.begin(), last_payload_.end())) {
        ++stats_.duplicates;
        return Result::duplicate;
    }

    auto discard = [this] {
        partial_.clear();
        active_ = false;
        ++stats_.discarded_segments;
        return Result::discarded;
    };

    if (h.fir) {
        partial_.clear();
        active_ = true;
    } else if (!active_ || h.seq != ((last_seq_ + 1) & seq_mask)) {
        return discard();
    }
    if (partial_.size() + payload.size() > max_) return discard();

    partial_.insert(partial_.end(), payload.begin(), payload.end());
    have_last_ = true;
    last_seq_ = h.seq;
    last_header_ = segment[0];
    last_payload_.assign(payload.begin(), payload.end());

    if (!h.fin) return Result::incomplete;
    done_ = std::move(partial_);
    partial_.clear();
    active_ = false;
    ++stats_.fragments;
    return Result::complete;
}

std::vector<std::uint8_t> Reassembler::take() {
    std::vector<std::uint8_t> out = std::move(done_);
    done_.clear();
    return out;
}

void Reassembler::reset() {
    partial_.clear();
    done_.clear();
    active_ = false;
    have_last_ = false;
    last_seq_ = 0;
    last_header_ = 0;
    last_payload_.clear();
}

}  // namespace gridgate::dnp3
