#pragma once
// Tells apart the two protocols on a line that carries both Modbus RTU and DNP3 (the
// gateway lends its RS-485 line to DNP3 sessions between Modbus transactions). A frame
// that starts 0x05 0x64 is a DNP3 link frame: its header says how long it is, so it is
// handed whole to the DNP3 side. Anything else is Modbus RTU and goes to the Modbus
// receiver until the request's predicted length is complete (rtu_request_length) or the
// line falls silent for t3.5; then the next byte starts a new frame again. A Modbus slave
// at address 5 would need function code 100 to be taken for DNP3, and no standard
// function has that code.
//
// Pure: no I/O, no clock. The caller passes the time of each read.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gridgate/core/time.hpp"
#include "gridgate/sim/line_timing.hpp"

namespace gridgate::sim {

enum class LineProtocol { modbus, dnp3 };

// Consecutive bytes of one protocol, with the time of the read that brought them.
struct LineSegment {
    LineProtocol protocol = LineProtocol::modbus;
    std::vector<std::byte> bytes;
    SteadyTime at{};
};

// DNP3 link frame length from the header's LEN octet (IEEE 1815 §9.2.4.1.3): 10 header
// octets, then LEN - 5 user data octets in blocks of 16, each followed by a 2-octet CRC.
// A LEN under 5 is invalid; the header alone is then taken so the DNP3 side can count it.
std::size_t dnp3_frame_length(std::uint8_t len_octet);

class MixedLineSplitter {
public:
    // `silence` ends a Modbus frame without a length rule (t3.5 of the line); a partial
    // DNP3 frame is given up after `dnp3_gap` without bytes (the meter's inter-character
    // timeout), so a lost byte cannot make the splitter swallow the next Modbus request.
    MixedLineSplitter(LineDuration silence, Duration dnp3_gap) : silence_(silence), dnp3_gap_(dnp3_gap) {}

    // Bytes returned by one read at `now`, cut into segments in line order. A 0x05 that
    // ends a read is held back until the next byte says which protocol it starts; if that
    // byte comes only after `silence`, the 0x05 was a lone byte and goes to Modbus (with
    // its own time, so the Modbus receiver sees the gap and drops it as garbage).
    std::vector<LineSegment> on_bytes(std::span<const std::byte> bytes, SteadyTime now);

    std::uint64_t dnp3_frames() const { return dnp3_frames_; }

private:
    enum class State { idle, first_05, dnp3, modbus };

    void end_of_gap(SteadyTime now, std::vector<LineSegment>& out);
    static void append(std::vector<LineSegment>& out, LineProtocol protocol, std::byte b, SteadyTime at);

    LineDuration silence_;
    Duration dnp3_gap_;
    State state_ = State::idle;
    SteadyTime last_byte_{};
    SteadyTime held_at_{};
    std::vector<std::byte> frame_;  // the current frame's bytes so far (DNP3 header, Modbus prefix)
    std::size_t dnp3_remaining_ = 0;
    std::uint64_t dnp3_frames_ = 0;
};

}  // namespace gridgate::sim
