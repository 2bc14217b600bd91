#pragma once
// DNP3 data link layer (IEEE 1815, FT3 frame format): pure encoding and a streaming
// parser. A frame is 0x05 0x64, LEN, CTRL, DEST (LE16), SRC (LE16), header CRC, then the
// user data in blocks of up to 16 octets each followed by its CRC. LEN counts CTRL, DEST,
// SRC and the user data (not the CRCs): 5..255, so at most 250 user-data octets and 292
// octets on the wire.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace gridgate::dnp3 {

inline constexpr std::size_t max_link_user_data = 250;
inline constexpr std::size_t max_link_frame = 292;

// The DNP3 CRC-16 (polynomial 0x3D65, reflected, final value complemented), sent
// little-endian after each block.
std::uint16_t crc16(std::span<const std::uint8_t> data);

// Link function codes: primary (PRM = 1) ...
enum class PrimaryFunction : std::uint8_t {
    reset_link_states = 0,
    test_link_states = 2,
    confirmed_user_data = 3,
    unconfirmed_user_data = 4,
    request_link_status = 9,
};
// ... and secondary (PRM = 0).
enum class SecondaryFunction : std::uint8_t {
    ack = 0,
    nack = 1,
    link_status = 11,
    not_supported = 15,
};

struct LinkHeader {
    bool dir = true;   // DIR: 1 = sent by the master
    bool prm = true;   // PRM: 1 = primary (initiating) frame
    bool fcb = false;  // frame count bit (primary)
    bool fcv = false;  // primary: frame count valid; secondary: DFC (data flow control)
    std::uint8_t function = 0;  // 4 bits, PrimaryFunction or SecondaryFunction
    std::uint16_t destination = 0;
    std::uint16_t source = 0;

    std::uint8_t control() const;              // the CTRL octet
    static LinkHeader from_control(std::uint8_t ctrl, std::uint16_t destination, std::uint16_t source);
    friend bool operator==(const LinkHeader&, const LinkHeader&) = default;
};

struct LinkFrame {
    LinkHeader header;
    std::vector<std::uint8_t> user_data;  // 0..250 octets (the transport segment)
    friend bool operator==(const LinkFrame&, const LinkFrame&) = default;
};

// Encodes a whole frame with its CRCs. Throws std::invalid_argument when user_data is
// longer than 250 octets.
std::vector<std::uint8_t> encode_link_frame(const LinkHeader& header, std::span<const std::uint8_t> user_data);

// Short-hands for the frames a master and an outstation exchange.
LinkHeader primary_header(PrimaryFunction f, std::uint16_t destination, std::uint16_t source, bool from_master,
                          bool fcb = false, bool fcv = false);
LinkHeader secondary_header(SecondaryFunction f, std::uint16_t destination, std::uint16_t source, bool from_master,
                            bool dfc = false);

// Human-readable one-line summary for traces, e.g.
// "PRM UNCONFIRMED_USER_DATA dst=1 src=3 DIR len=17".
std::string describe(const LinkHeader& header, std::size_t user_data_size);

// Streaming parser: feed it whatever the line delivered; it returns complete frames and
// resynchronises on 0x05 0x64 after garbage or a CRC error (counted, never thrown).
class LinkParser {
public:
    struct Stats {
        std::uint64_t frames = 0;
        std::uint64_t header_crc_errors = 0;
        std::uint64_t body_crc_errors = 0;
        std::uint64_t bad_length = 0;      // LEN < 5
        std::uint64_t garbage_bytes = 0;   // octets skipped while hunting for 0x05 0x64
    };

    // Appends every frame completed by `bytes` to `out`.
    void feed(std::span<const std::uint8_t> bytes, std::vector<LinkFrame>& out);
    // Drops a partial frame (e.g. after an inter-character timeout or a reconnect).
    void reset();
    // True while part of a frame has been received.
    bool in_frame() const;
    const Stats& stats() const { return stats_; }

private:
    std::vector<std::uint8_t> buffer_;
    Stats stats_;
};

// Parses exactly one complete frame (for tests and fuzzing); nullopt if `frame` is not
// exactly one valid frame.
std::optional<LinkFrame> parse_link_frame(std::span<const std::uint8_t> frame);

}  // namespace gridgate::dnp3
