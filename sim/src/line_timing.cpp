#include "gridgate/sim/line_timing.hpp"

#include <algorithm>
#include <array>

namespace gridgate::sim {

namespace {
constexpr std::int64_t ns_per_s = 1'000'000'000;
// Above this rate the standard fixes t1.5 and t3.5 instead of scaling them.
constexpr std::uint32_t fixed_silence_above = 19200;

// The standard counts its silences in 11-bit characters (start, 8 data, parity or a
// second stop bit, stop) whatever the line's framing; the gateway's driver does too.
constexpr std::int64_t spec_bits_per_character = 11;

// halves / 2 of the standard's character times, rounded to the nanosecond.
LineDuration half_characters(std::int64_t halves, const LineSettings& line) {
    if (line.baud == 0) return LineDuration::zero();
    const std::int64_t bits = halves * spec_bits_per_character;
    const std::int64_t twice_baud = 2 * static_cast<std::int64_t>(line.baud);
    return LineDuration{(bits * ns_per_s + twice_baud / 2) / twice_baud};
}

}  // namespace

bool is_standard_baud(std::uint32_t baud) {
    constexpr std::array<std::uint32_t, 8> rates{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200};
    return std::find(rates.begin(), rates.end(), baud) != rates.end();
}

std::string to_string(const LineSettings& line) {
    const char parity = line.parity == Parity::none ? 'N' : line.parity == Parity::even ? 'E' : 'O';
    return std::to_string(line.baud) + " " + std::to_string(line.data_bits) + parity + std::to_string(line.stop_bits);
}

unsigned bits_per_character(const LineSettings& line) {
    return 1u + line.data_bits + (line.parity == Parity::none ? 0u : 1u) + line.stop_bits;
}

LineDuration transmit_time(std::size_t bytes, const LineSettings& line) {
    if (line.baud == 0) return LineDuration::zero();
    // bits * 1e9 / baud, rounded to nearest; bytes <= a few thousand, so no overflow.
    const std::int64_t bits = static_cast<std::int64_t>(bytes) * bits_per_character(line);
    const std::int64_t baud = line.baud;
    return LineDuration{(bits * ns_per_s + baud / 2) / baud};
}

LineDuration t15(const LineSettings& line) {
    if (line.baud > fixed_silence_above) return std::chrono::microseconds(750);
    return half_characters(3, line);
}

LineDuration t35(const LineSettings& line) {
    if (line.baud > fixed_silence_above) return std::chrono::microseconds(1750);
    return half_characters(7, line);
}

PacedTransmission::PacedTransmission(SteadyTime start, std::size_t bytes, const LineSettings& line,
                                     LineDuration chunk_period)
    : start_(start), bytes_(bytes), line_(line), chunk_period_(chunk_period) {}

std::size_t PacedTransmission::due(SteadyTime now) const {
    if (now >= end()) return bytes_;
    if (now <= start_) return 0;
    // Elapsed time is below end() - start_, a few seconds at most: no overflow.
    const std::int64_t elapsed_ns = std::chrono::duration_cast<LineDuration>(now - start_).count();
    const auto bits = static_cast<std::int64_t>(bits_per_character(line_));
    std::size_t count = static_cast<std::size_t>(elapsed_ns * line_.baud / (bits * ns_per_s));
    // transmit_time rounds to nearest: settle the boundary with the same arithmetic.
    while (count < bytes_ && due_time(count + 1) <= now) ++count;
    while (count > 0 && due_time(count) > now) --count;
    return count;
}

SteadyTime PacedTransmission::next_write(std::size_t written, SteadyTime now) const {
    const SteadyTime next_due = due_time(std::min(written + 1, bytes_));
    if (written == 0) return next_due;  // the first byte goes out as soon as it is complete
    return std::min(std::max(next_due, now + chunk_period_), end());
}

}  // namespace gridgate::sim
