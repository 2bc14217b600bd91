// Fuzz target for the Modbus codecs that read untrusted bytes: MBAP framing, response
// and request PDUs, RTU frames and their length prediction. The decoders must return a
// typed result for any input, never crash, read out of bounds or loop.
#include <cstddef>
#include <cstdint>
#include <span>

#include "gridgate/modbus/mbap.hpp"
#include "gridgate/modbus/pdu.hpp"
#include "gridgate/modbus/rtu_frame.hpp"

using namespace gridgate::modbus;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);

    // A TCP stream: frames one after another until the buffer runs out or is refused.
    std::span<const std::byte> stream = bytes;
    while (!stream.empty()) {
        const auto r = decode_mbap(stream);
        const auto* frame = std::get_if<MbapDecoded>(&r);
        if (!frame || frame->consumed == 0 || frame->consumed > stream.size()) break;
        (void)decode_request(frame->frame.pdu);
        stream = stream.subspan(frame->consumed);
    }

    // A response to a request whose shape the first bytes choose.
    if (size >= 5) {
        const auto fc = static_cast<FunctionCode>(1 + data[0] % 4);
        const auto count = static_cast<std::uint16_t>(1 + ((data[1] << 8 | data[2]) % 2000));
        const ReadRequest req{fc, static_cast<std::uint16_t>(data[3] << 8 | data[4]),
                              is_bit_read(fc) ? count : static_cast<std::uint16_t>(1 + count % 125)};
        const auto pdu = bytes.subspan(5);
        (void)decode_read_response(req, pdu);
        (void)expected_response_pdu_length(req, pdu);
    }

    (void)decode_request(bytes);
    (void)decode_rtu_adu(bytes);
    (void)expected_response_adu_length(bytes);
    (void)expected_request_adu_length(bytes);
    return 0;
}
