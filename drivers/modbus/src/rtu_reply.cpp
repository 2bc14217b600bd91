// Classifying the bytes a master receives after an RTU read request.
#include "gridgate/modbus/rtu_reply.hpp"

#include "gridgate/modbus/rtu_frame.hpp"

namespace gridgate::modbus {

namespace {

ReplyScan discard_one(ReplyScanKind kind) { return ReplyScan{kind, 1, 0, DecodeError::need_more}; }

bool answers_function(std::uint8_t fc, const ReadRequest& request) {
    const auto requested = static_cast<std::uint8_t>(request.function);
    return fc == requested || fc == (requested | 0x80);
}

}  // namespace

const char* to_string(ReplyScanKind k) {
    switch (k) {
        case ReplyScanKind::need_more: return "need more";
        case ReplyScanKind::reply: return "reply";
        case ReplyScanKind::wrong_address: return "wrong address";
        case ReplyScanKind::unexpected: return "unexpected frame";
        case ReplyScanKind::crc_error: return "CRC error";
        case ReplyScanKind::garbage: return "garbage";
    }
    return "?";
}

bool could_be_reply(std::uint8_t address, const ReadRequest& request, std::span<const std::byte> prefix) {
    if (prefix.empty() || std::to_integer<std::uint8_t>(prefix[0]) != address) return false;
    if (prefix.size() < 2) return true;
    const auto function = std::to_integer<std::uint8_t>(prefix[1]);
    if (!answers_function(function, request)) return false;
    if (function & 0x80) return prefix.size() < 5;
    if (prefix.size() < 3) return true;
    const std::size_t data = is_bit_read(request.function) ? (std::size_t{request.count} + 7) / 8
                                                          : std::size_t{request.count} * 2;
    return std::to_integer<std::uint8_t>(prefix[2]) == data && prefix.size() < 3 + data + rtu_crc_size;
}

ReplyScan scan_reply(std::uint8_t address, const ReadRequest& request, std::span<const std::byte> rx,
                     bool line_silent) {
    if (rx.empty()) return {};
    const std::size_t length = expected_response_adu_length(rx);
    if (length > rtu_max_adu_size) return discard_one(ReplyScanKind::garbage);  // no such frame
    if (length == 0 || rx.size() < length) {
        // Still arriving, unless the line went quiet: then it was cut short.
        return line_silent ? discard_one(ReplyScanKind::garbage) : ReplyScan{};
    }

    const auto candidate = rx.first(length);
    const auto first = std::to_integer<std::uint8_t>(candidate[0]);
    const auto function = std::to_integer<std::uint8_t>(candidate[1]);
    if (!rtu_crc_ok(candidate)) {
        const bool ours = first == address && answers_function(function, request);
        return discard_one(ours ? ReplyScanKind::crc_error : ReplyScanKind::garbage);
    }

    ReplyScan out{ReplyScanKind::wrong_address, length, first, DecodeError::need_more};
    if (first != address) return out;
    out.response = decode_read_response(request, candidate.subspan(1, length - 1 - rtu_crc_size));
    out.kind = std::holds_alternative<DecodeError>(out.response) ? ReplyScanKind::unexpected : ReplyScanKind::reply;
    return out;
}

}  // namespace gridgate::modbus
