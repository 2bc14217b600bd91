#pragma once
// The receive side of an RTU slave: turns bytes read from the line, with the time each
// read returned, into request frames.
//
// A frame ends when its length is complete (rtu_request_length) and its CRC is right,
// so the slave need not wait for the line to fall silent; or after t3.5 of silence,
// for functions without a length rule. Like the JEMStar II ("does not monitor the bus
// continuously ... the start of a new message will be detected using a synchronization
// algorithm", reference/meter-modbus.md §4) it resynchronises after garbage: it hunts
// byte by byte for a position where a well-formed frame with a good CRC starts, and
// counts what it skipped. Gaps of more than t1.5 inside a frame are tolerated unless
// `strict_t15` is set, in which case such a frame is discarded up to the next t3.5
// silence, as the standard says.
//
// Pure: no I/O, no clock. The caller passes the time of each read and calls on_idle()
// when deadline() has passed.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/sim/line_timing.hpp"

namespace gridgate::sim {

struct RtuFrame {
    std::vector<std::byte> bytes;  // address, PDU, CRC
    SteadyTime end{};              // when its last byte was read

    std::uint8_t address() const { return std::to_integer<std::uint8_t>(bytes.front()); }
    std::span<const std::byte> pdu() const { return std::span<const std::byte>(bytes).subspan(1, bytes.size() - 3); }
};

struct RtuReceiveStats {
    std::uint64_t rx_bytes = 0;       // every byte read
    std::uint64_t frames = 0;         // well-formed frames (any address)
    std::uint64_t garbage_bytes = 0;  // bytes skipped while resynchronising
    std::uint64_t broken_frames = 0;  // discarded for a gap over t1.5 (strict_t15 only)
};

class RtuFrameReceiver {
public:
    struct Options {
        LineDuration t15{};
        LineDuration t35{};
        bool strict_t15 = false;
    };
    static Options options_for(const LineSettings& line, bool strict_t15 = false) {
        return {sim::t15(line), sim::t35(line), strict_t15};
    }

    explicit RtuFrameReceiver(const Options& options) : options_(options) {}

    // Bytes returned by one read at `now`.
    void on_bytes(std::span<const std::byte> bytes, SteadyTime now);
    // The line has been silent since the last byte; ends the pending frame if t3.5 has
    // passed by `now` (harmless otherwise).
    void on_idle(SteadyTime now);
    // When on_idle() should be called next; nullopt when nothing is pending.
    std::optional<SteadyTime> deadline() const;

    // Frames completed so far, oldest first; the receiver forgets them.
    std::vector<RtuFrame> take_frames();

    const RtuReceiveStats& stats() const { return stats_; }
    // Bytes received that are not yet part of a frame or discarded.
    std::size_t pending() const { return pending_.size(); }

private:
    bool waiting_for_silence() const { return !pending_.empty() || discarding_; }
    void end_of_frame();
    void hunt(bool at_silence);
    bool skip_to_next_frame();
    void emit(std::size_t length);
    void discard(std::size_t count);

    Options options_;
    std::vector<std::byte> pending_;
    SteadyTime last_byte_{};
    bool discarding_ = false;  // a t1.5 gap broke the frame: drop bytes until silence
    std::vector<RtuFrame> frames_;
    RtuReceiveStats stats_;
};

}  // namespace gridgate::sim
