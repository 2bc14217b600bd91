#pragma once
// The DLMS/COSEM transport over TCP (IEC 62056-47 "wrapper"): every APDU is preceded by
// an 8-octet header: version (0x0001), source wPort, destination wPort, APDU length, all
// big-endian. wPorts are the client SAP and the server's logical device (1 = management).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace gridgate::dlms {

inline constexpr std::size_t wrapper_header_size = 8;
inline constexpr std::uint16_t wrapper_version = 1;

struct WrapperPdu {
    std::uint16_t source = 0;       // wPort of the sender
    std::uint16_t destination = 0;  // wPort of the receiver
    std::vector<std::uint8_t> apdu;
    friend bool operator==(const WrapperPdu&, const WrapperPdu&) = default;
};

// Throws std::invalid_argument when the APDU is longer than 65535 octets.
std::vector<std::uint8_t> encode_wrapper(std::uint16_t source, std::uint16_t destination,
                                         std::span<const std::uint8_t> apdu);

// Streaming parser for one TCP connection. A header with a version other than 1 (or a
// length over the limit) means the stream is out of step and nothing after it can be
// trusted: the parser reports it as failed and the connection should be closed.
class WrapperParser {
public:
    explicit WrapperParser(std::size_t max_apdu = 65535) : max_apdu_(max_apdu) {}
    std::vector<WrapperPdu> feed(std::span<const std::uint8_t> data);
    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }
    void reset();

private:
    std::size_t max_apdu_;
    std::vector<std::uint8_t> buffer_;
    std::string error_;
};

}  // namespace gridgate::dlms
