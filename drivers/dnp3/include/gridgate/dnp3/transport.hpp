#pragma once
// DNP3 transport function: one header octet (FIN 0x80, FIR 0x40, SEQ 0..63) in front of
// up to 249 octets of an application fragment, one segment per link frame.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gridgate::dnp3 {

inline constexpr std::size_t max_segment_payload = 249;
inline constexpr std::size_t max_fragment_size = 2048;  // the reference meter's (and our) limit

struct TransportHeader {
    bool fin = false;
    bool fir = false;
    std::uint8_t seq = 0;  // 0..63
    std::uint8_t encode() const;
    static TransportHeader decode(std::uint8_t octet);
};

// Splits an application fragment into transport segments (header octet included), each
// ready to be the user data of one link frame. `next_seq` is the sequence number of the
// first segment and is advanced past the last one (mod 64). An empty fragment is refused
// (std::invalid_argument).
std::vector<std::vector<std::uint8_t>> segment_fragment(std::span<const std::uint8_t> fragment, std::uint8_t& next_seq);

// Reassembles segments from one peer into fragments. Rules (IEEE 1815 §8): a segment with
// FIR starts a new fragment (discarding any partial one); a segment without FIR is
// accepted only if its SEQ is the previous one + 1 (mod 64), otherwise the partial
// fragment is discarded; a repeat of the previous segment (same SEQ, no FIR) is ignored as
// a duplicate; a fragment over max_fragment bytes is discarded.
class Reassembler {
public:
    enum class Result { incomplete, complete, discarded, duplicate };
    struct Stats {
        std::uint64_t segments = 0;
        std::uint64_t fragments = 0;
        std::uint64_t discarded_segments = 0;  // out of sequence, no FIR, empty, too big
        std::uint64_t duplicates = 0;
    };

    explicit Reassembler(std::size_t max_fragment = max_fragment_size) : max_(max_fragment) {}

    // Pushes one transport segment (header octet + payload). After `complete`, take()
    // returns the fragment.
    Result push(std::span<const std::uint8_t> segment);
    std::vector<std::uint8_t> take();
    void reset();
    const Stats& stats() const { return stats_; }

private:
    std::size_t max_;
    std::vector<std::uint8_t> partial_;
    std::vector<std::uint8_t> done_;
    bool active_ = false;
    bool have_last_ = false;
    std::uint8_t last_seq_ = 0;
    std::uint8_t last_header_ = 0;
    std::vector<std::uint8_t> last_payload_;
    Stats stats_;
};

}  // namespace gridgate::dnp3
