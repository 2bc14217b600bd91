#include "gridgate/sim/rtu_frame_receiver.hpp"

#include "gridgate/sim/rtu_crc.hpp"
#include "gridgate/sim/rtu_request_length.hpp"

namespace gridgate::sim {

namespace {
using Kind = RtuRequestLength::Kind;

// Shortest RTU frame: address, function, CRC.
constexpr std::size_t min_frame = 4;
}  // namespace

void RtuFrameReceiver::on_bytes(std::span<const std::byte> bytes, SteadyTime now) {
    if (bytes.empty()) return;
    stats_.rx_bytes += bytes.size();
    if (waiting_for_silence()) {
        const auto gap = now - last_byte_;
        if (gap >= options_.t35) {
            end_of_frame();
        } else if (options_.strict_t15 && gap > options_.t15 && !pending_.empty()) {
            ++stats_.broken_frames;
            discard(pending_.size());
            discarding_ = true;
        }
    }
    last_byte_ = now;
    if (discarding_) {
        stats_.garbage_bytes += bytes.size();
        return;
    }
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    hunt(false);
    // Bounded memory: nothing longer than a frame can be waiting for its end.
    while (pending_.size() > max_rtu_frame) {
        discard(pending_.size() - max_rtu_frame);
        hunt(false);
    }
}

void RtuFrameReceiver::on_idle(SteadyTime now) {
    if (waiting_for_silence() && now - last_byte_ >= options_.t35) end_of_frame();
}

std::optional<SteadyTime> RtuFrameReceiver::deadline() const {
    if (!waiting_for_silence()) return std::nullopt;
    return last_byte_ + options_.t35;
}

std::vector<RtuFrame> RtuFrameReceiver::take_frames() {
    std::vector<RtuFrame> out;
    out.swap(frames_);
    return out;
}

void RtuFrameReceiver::end_of_frame() {
    hunt(true);
    discarding_ = false;
}

// Emits every frame at the front of pending_. While the line is busy, a front that may
// still grow into a frame is kept, unless a complete frame further on proves it was
// garbage. At silence nothing more will come: whatever does not form a frame goes.
void RtuFrameReceiver::hunt(bool at_silence) {
    while (!pending_.empty()) {
        const RtuRequestLength length = rtu_request_length(pending_);
        if (length.kind == Kind::known && length.bytes <= pending_.size()) {
            if (rtu_crc_ok(std::span<const std::byte>(pending_).first(length.bytes))) emit(length.bytes);
            else discard(1);
            continue;
        }
        if (length.kind == Kind::invalid) {
            discard(1);
            continue;
        }
        // The front is incomplete (known length not reached, or the header itself), or
        // has no length rule.
        if (!at_silence) {
            if (!skip_to_next_frame()) return;
            continue;
        }
        if (length.kind == Kind::unknown && rtu_crc_ok(pending_)) emit(pending_.size());
        else discard(1);
    }
}

// Looks past an incomplete front for a complete, well-formed frame; if there is one,
// the bytes before it were garbage. False if there is none (yet).
bool RtuFrameReceiver::skip_to_next_frame() {
    const std::span<const std::byte> all(pending_);
    for (std::size_t k = 1; k + min_frame <= all.size(); ++k) {
        const std::span<const std::byte> rest = all.subspan(k);
        const RtuRequestLength length = rtu_request_length(rest);
        if (length.kind == Kind::known && length.bytes <= rest.size() && rtu_crc_ok(rest.first(length.bytes))) {
            discard(k);
            return true;
        }
    }
    return false;
}

void RtuFrameReceiver::emit(std::size_t length) {
    RtuFrame frame;
    frame.bytes.assign(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(length));
    frame.end = last_byte_;
    frames_.push_back(std::move(frame));
    ++stats_.frames;
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(length));
}

void RtuFrameReceiver::discard(std::size_t count) {
    stats_.garbage_bytes += count;
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(count));
}

}  // namespace gridgate::sim
