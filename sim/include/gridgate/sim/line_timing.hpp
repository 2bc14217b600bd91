#pragma once
// Serial line timing: how long characters take at a baud rate and framing, the RTU
// silent intervals t1.5 and t3.5, and the schedule for writing a frame byte by byte
// (in small chunks) so that it takes as long as on a real line. A pty carries bytes
// instantly; metersim paces its own output so a gateway measuring bus timing sees the
// line it would see on RS-485. Pure: times are parameters.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "gridgate/core/time.hpp"

namespace gridgate::sim {

enum class Parity : std::uint8_t { none, even, odd };

struct LineSettings {
    std::uint32_t baud = 19200;  // the meter's default on ports 3 and 4 (manual, Appendix C)
    std::uint8_t data_bits = 8;  // RTU: always 8
    Parity parity = Parity::none;
    std::uint8_t stop_bits = 1;
    friend bool operator==(const LineSettings&, const LineSettings&) = default;
};

using LineDuration = std::chrono::nanoseconds;

// The rates termios can set (and the only ones metersim accepts), 1200..115200.
bool is_standard_baud(std::uint32_t baud);

// "19200 8N1", "9600 8E2".
std::string to_string(const LineSettings& line);

// Bits on the line per character: start + data + parity (if any) + stop.
unsigned bits_per_character(const LineSettings& line);

// Time on the line of `bytes` characters sent back to back, rounded to the nanosecond.
LineDuration transmit_time(std::size_t bytes, const LineSettings& line);
inline LineDuration character_time(const LineSettings& line) { return transmit_time(1, line); }

// The RTU silent intervals (Modbus over serial line v1.02 §2.5.1.1): 1.5 and 3.5
// character times, fixed at 750 µs and 1.75 ms above 19200 baud. The standard's
// character is 11 bits (8E1, 8O1 or 8N2), and the silences are counted in those
// whatever the line's framing, as the gateway's driver counts them: on an 8N1 line
// t3.5 is 38.5 bit times, not 35.
LineDuration t15(const LineSettings& line);
LineDuration t35(const LineSettings& line);

// Output is written at most this often. Shorter than t1.5 at every rate metersim
// accepts (750 µs at the least), so the gaps between chunks never look like a broken
// frame to a receiver that checks t1.5; slow lines are written byte by byte anyway.
inline constexpr LineDuration default_chunk_period = std::chrono::microseconds(500);

// The schedule of one paced frame. The first start bit goes out at `start`; byte k
// (0-based) has been shifted out completely, and is written, at start + (k+1)
// character times, so the last byte lands at end() = start + transmit_time(bytes).
class PacedTransmission {
public:
    PacedTransmission(SteadyTime start, std::size_t bytes, const LineSettings& line,
                      LineDuration chunk_period = default_chunk_period);

    SteadyTime start() const { return start_; }
    SteadyTime end() const { return due_time(bytes_); }
    std::size_t size() const { return bytes_; }

    // When the first `count` bytes are all due (count <= size()).
    SteadyTime due_time(std::size_t count) const { return start_ + transmit_time(count, line_); }

    // How many bytes are due by `now`.
    std::size_t due(SteadyTime now) const;

    // When to write next, `written` (< size()) bytes having been written at `now`: the
    // first byte as soon as it is due; after that when the next byte is due, but not
    // sooner than one chunk period after `now` (a fast line is written in chunks, not
    // byte by byte), and never later than end() (the frame ends on time).
    SteadyTime next_write(std::size_t written, SteadyTime now) const;

private:
    SteadyTime start_;
    std::size_t bytes_;
    LineSettings line_;
    LineDuration chunk_period_;
};

}  // namespace gridgate::sim
