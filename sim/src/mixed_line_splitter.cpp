#include "gridgate/sim/mixed_line_splitter.hpp"

#include "gridgate/sim/rtu_request_length.hpp"

namespace gridgate::sim {

namespace {
constexpr std::byte dnp3_start_1{0x05};
constexpr std::byte dnp3_start_2{0x64};
constexpr std::size_t dnp3_header = 10;      // start (2), LEN, CTRL, DEST (2), SRC (2), CRC (2)
constexpr std::size_t dnp3_len_offset = 2;
constexpr std::uint8_t dnp3_min_len = 5;     // CTRL, DEST and SRC count in LEN
constexpr std::size_t dnp3_block = 16;
constexpr std::size_t dnp3_crc = 2;
}  // namespace

std::size_t dnp3_frame_length(std::uint8_t len_octet) {
    if (len_octet < dnp3_min_len) return dnp3_header;
    const std::size_t user_data = len_octet - dnp3_min_len;
    return dnp3_header + user_data + dnp3_crc * ((user_data + dnp3_block - 1) / dnp3_block);
}

void MixedLineSplitter::append(std::vector<LineSegment>& out, LineProtocol protocol, std::byte b, SteadyTime at) {
    if (out.empty() || out.back().protocol != protocol || out.back().at != at) out.push_back({protocol, {}, at});
    out.back().bytes.push_back(b);
}

// A silence long enough ends whatever was in progress before the new bytes are looked at.
void MixedLineSplitter::end_of_gap(SteadyTime now, std::vector<LineSegment>& out) {
    const auto gap = now - last_byte_;
    switch (state_) {
        case State::idle: return;
        case State::first_05:
            if (gap < silence_) return;
            append(out, LineProtocol::modbus, dnp3_start_1, held_at_);
            break;
        case State::modbus:
            if (gap < silence_) return;
            break;
        case State::dnp3:
            if (gap < dnp3_gap_) return;
            break;
    }
    state_ = State::idle;
    frame_.clear();
}

std::vector<LineSegment> MixedLineSplitter::on_bytes(std::span<const std::byte> bytes, SteadyTime now) {
    std::vector<LineSegment> out;
    if (bytes.empty()) return out;
    end_of_gap(now, out);
    for (const std::byte b : bytes) {
        switch (state_) {
            case State::idle:
                frame_.clear();
                if (b == dnp3_start_1) {
                    state_ = State::first_05;
                    held_at_ = now;
                    continue;
                }
                state_ = State::modbus;
                break;
            case State::first_05:
                if (b == dnp3_start_2) {
                    state_ = State::dnp3;
                    frame_.push_back(dnp3_start_1);
                    append(out, LineProtocol::dnp3, dnp3_start_1, held_at_);
                    break;
                }
                state_ = State::modbus;
                frame_.push_back(dnp3_start_1);
                append(out, LineProtocol::modbus, dnp3_start_1, held_at_);
                break;
            case State::dnp3:
            case State::modbus: break;
        }

        if (state_ == State::dnp3) {
            append(out, LineProtocol::dnp3, b, now);
            frame_.push_back(b);
            if (frame_.size() > dnp3_len_offset &&
                frame_.size() == dnp3_frame_length(std::to_integer<std::uint8_t>(frame_[dnp3_len_offset]))) {
                ++dnp3_frames_;
                state_ = State::idle;
            }
            continue;
        }
        // Modbus: the request ends at its predicted length; without a rule (or after
        // garbage) only the next silence ends it.
        append(out, LineProtocol::modbus, b, now);
        if (frame_.size() >= max_rtu_frame) continue;
        frame_.push_back(b);
        const RtuRequestLength length = rtu_request_length(frame_);
        if (length.kind == RtuRequestLength::Kind::known && frame_.size() >= length.bytes) state_ = State::idle;
    }
    last_byte_ = now;
    return out;
}

}  // namespace gridgate::sim
