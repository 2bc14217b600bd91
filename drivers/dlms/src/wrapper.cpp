// The DLMS/COSEM TCP wrapper (IEC 62056-47): an 8-octet header in front of every APDU.
#include "gridgate/dlms/wrapper.hpp"

#include <algorithm>
#include <stdexcept>

namespace gridgate::dlms {

namespace {

void put_be16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

std::uint16_t get_be16(std::span<const std::uint8_t> s, std::size_t at) {
    return static_cast<std::uint16_t>(s[at] << 8 | s[at + 1]);
}

}  // namespace

std::vector<std::uint8_t> encode_wrapper(std::uint16_t source, std::uint16_t destination,
                                         std::span<const std::uint8_t> apdu) {
    if (apdu.size() > 0xFFFF)
        throw std::invalid_argument("wrapper APDU of " + std::to_string(apdu.size()) + " octets over 65535");
    std::vector<std::uint8_t> out;
    out.reserve(wrapper_header_size + apdu.size());
    put_be16(out, wrapper_version);
    put_be16(out, source);
    put_be16(out, destination);
    put_be16(out, static_cast<std::uint16_t>(apdu.size()));
    out.insert(out.end(), apdu.begin(), apdu.end());
    return out;
}

// buffer_ holds only a PDU that is not complete yet (header first, then as much of the
// APDU as has come), so it never exceeds the header and max_apdu_. Complete PDUs that
// arrive in one piece are taken straight from the input without copying them in first.
std::vector<WrapperPdu> WrapperParser::feed(std::span<const std::uint8_t> data) {
    std::vector<WrapperPdu> out;
    std::size_t at = 0;
    // Moves up to n octets of the input into the buffer; true when all n were there.
    const auto take = [&](std::size_t n) {
        const std::size_t k = std::min(n, data.size() - at);
        buffer_.insert(buffer_.end(), data.begin() + static_cast<std::ptrdiff_t>(at),
                       data.begin() + static_cast<std::ptrdiff_t>(at + k));
        at += k;
        return k == n;
    };

    while (!failed()) {
        const std::size_t left = data.size() - at;
        if (buffer_.empty() && left == 0) break;

        std::span<const std::uint8_t> header;
        if (buffer_.empty() && left >= wrapper_header_size) {
            header = data.subspan(at, wrapper_header_size);
        } else {
            if (!take(wrapper_header_size - std::min(buffer_.size(), wrapper_header_size))) break;
            header = std::span<const std::uint8_t>(buffer_).first(wrapper_header_size);
        }

        const std::uint16_t version = get_be16(header, 0);
        const std::size_t length = get_be16(header, 6);
        if (version != wrapper_version) {
            error_ = "wrapper version " + std::to_string(version) + ", expected 1";
            break;
        }
        if (length > max_apdu_) {
            error_ = "wrapper APDU length " + std::to_string(length) + " over the limit of " +
                     std::to_string(max_apdu_);
            break;
        }

        WrapperPdu pdu;
        pdu.source = get_be16(header, 2);
        pdu.destination = get_be16(header, 4);
        if (buffer_.empty()) {
            if (left < wrapper_header_size + length) {
                buffer_.assign(data.begin() + static_cast<std::ptrdiff_t>(at), data.end());
                break;
            }
            const auto apdu = data.subspan(at + wrapper_header_size, length);
            pdu.apdu.assign(apdu.begin(), apdu.end());
            at += wrapper_header_size + length;
        } else {
            if (!take(wrapper_header_size + length - buffer_.size())) break;
            pdu.apdu.assign(buffer_.begin() + static_cast<std::ptrdiff_t>(wrapper_header_size), buffer_.end());
            buffer_.clear();
        }
        out.push_back(std::move(pdu));
    }
    return out;
}

void WrapperParser::reset() {
    buffer_.clear();
    error_.clear();
}

}  // namespace gridgate::dlms
