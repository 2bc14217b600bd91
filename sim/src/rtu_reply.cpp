#include "gridgate/sim/rtu_reply.hpp"

#include "gridgate/sim/rtu_crc.hpp"

namespace gridgate::sim {

std::vector<std::byte> encode_rtu_reply(std::uint8_t address, const Reply& reply) {
    switch (reply.kind) {
        case Reply::Kind::none: return {};
        case Reply::Kind::raw: return reply.bytes;
        case Reply::Kind::pdu: break;
    }
    const std::uint8_t sender =
        reply.framing == Reply::Framing::wrong_address ? wrong_address_for(address) : address;
    std::vector<std::byte> frame;
    frame.reserve(reply.bytes.size() + 3);
    frame.push_back(std::byte{sender});
    frame.insert(frame.end(), reply.bytes.begin(), reply.bytes.end());
    append_rtu_crc(frame);
    if (reply.framing == Reply::Framing::bad_crc) {
        frame[frame.size() - 2] ^= std::byte{0xFF};
        frame[frame.size() - 1] ^= std::byte{0xFF};
    }
    return frame;
}

}  // namespace gridgate::sim
